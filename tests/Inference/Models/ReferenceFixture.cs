using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Testing;

namespace VerlOrleans.Inference.Tests.Models;

/// <summary>
/// A fixture model of tests/Inference/Fixtures/Models with the outputs PyTorch computed for it
/// (tools/inference/make_decoder_fixtures.py): reference.json (versioned header, prompts, greedy tokens) and
/// reference.safetensors (logits).
/// </summary>
internal sealed class ReferenceFixture
{
    public const string Format = "verlorleans.decoder-reference";
    public const int Version = 1;

    public static readonly string[] ModelNames = ["qwen2-tiny", "llama3-tiny", "qwen3-tiny"];

    private readonly IReadOnlyDictionary<string, SafetensorsTensorInfo> _tensors;

    private ReferenceFixture(string folder, ReferenceHeader header, IReadOnlyDictionary<string, SafetensorsTensorInfo> tensors)
    {
        Folder = folder;
        Header = header;
        _tensors = tensors;
    }

    public string Folder { get; }

    public ReferenceHeader Header { get; }

    public static string FolderOf(string model) => Path.Combine(RepositoryPaths.Root, "tests", "Inference", "Fixtures", "Models", model);

    public static ReferenceFixture Load(string model)
    {
        var folder = FolderOf(model);
        var header = JsonSerializer.Deserialize<ReferenceHeader>(File.ReadAllText(Path.Combine(folder, "reference.json")))
            ?? throw new InvalidDataException($"{folder}/reference.json is empty");
        if (header.Format != Format || header.Version != Version)
        {
            throw new InvalidDataException($"{folder}/reference.json is {header.Format} v{header.Version}, expected {Format} v{Version}");
        }

        return new ReferenceFixture(folder, header, SafetensorsModel.Open(Path.Combine(folder, "reference.safetensors")).Tensors);
    }

    public ReferenceCase Case(string name) => Header.Cases.Single(c => c.Name == name);

    /// <summary>A float32 reference tensor as rows of its last axis.</summary>
    public float[][] Rows(string tensor)
    {
        var info = _tensors[tensor];
        var values = MemoryMarshal.Cast<byte, float>(SafetensorsFile.ReadAllBytes(info)).ToArray();
        var width = (int)info.Shape[^1];
        return Enumerable.Range(0, values.Length / width).Select(r => values.AsSpan(r * width, width).ToArray()).ToArray();
    }
}

internal sealed record ReferenceHeader(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("cases")] IReadOnlyList<ReferenceCase> Cases,
    [property: JsonPropertyName("batch_order")] IReadOnlyList<string> BatchOrder);

internal sealed record ReferenceCase(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("prompt_ids")] IReadOnlyList<int> PromptIds,
    [property: JsonPropertyName("greedy_ids")] IReadOnlyList<int> GreedyIds);
