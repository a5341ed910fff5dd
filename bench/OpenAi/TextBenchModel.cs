using System.Text.Json.Nodes;
using VerlOrleans.Bench.Grid;

namespace VerlOrleans.Bench.OpenAi;

/// <summary>
/// bench/Grid's <see cref="BenchModel"/> (Qwen2.5-0.5B's shapes, seeded random bf16 weights, the tiny-chat tokenizer
/// and chat template), made to answer in text: its random weights pick ids far beyond the tiny-chat tokenizer's 501,
/// which decode to nothing, so a stream would carry no text to time a first token by. This folder's tokenizer is the
/// tiny-chat one plus a word (<c>" w{id}"</c>) for every other id of the model's vocabulary: prompts encode exactly as
/// before (no merge ever makes those words), and every generated id is text. The weights are BenchModel's own file
/// (a symbolic link), so the compute is the same; the end tokens (the tiny-chat ids 496 and 498) are 2 ids in 151,936,
/// so greedy responses run to the token limit as BenchModel's do.
/// </summary>
internal static class TextBenchModel
{
    private static readonly string[] SharedFiles = ["config.json", "generation_config.json", "tokenizer_config.json"];

    public static string DefaultFolder { get; } = Path.Combine(Path.GetTempPath(), "verlorleans-bench", "qwen2.5-0.5b-random-full-vocab-tokenizer");

    public static void EnsureWritten(string folder, int seed)
    {
        var weightsFolder = new GridBenchOptions().ModelFolder;
        BenchModel.EnsureWritten(weightsFolder, seed);
        Directory.CreateDirectory(folder);
        foreach (var file in SharedFiles)
        {
            File.Copy(Path.Combine(weightsFolder, file), Path.Combine(folder, file), overwrite: true);
        }

        var weights = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(weights))
        {
            File.CreateSymbolicLink(weights, Path.Combine(weightsFolder, "model.safetensors"));
        }

        var vocabularySize = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!["vocab_size"]!.GetValue<int>();
        var tokenizer = JsonNode.Parse(File.ReadAllText(Path.Combine(weightsFolder, "tokenizer.json")))!;
        var vocabulary = tokenizer["model"]!["vocab"]!.AsObject();
        var taken = vocabulary.Select(p => p.Value!.GetValue<int>())
            .Concat(tokenizer["added_tokens"]!.AsArray().Select(t => t!["id"]!.GetValue<int>()))
            .ToHashSet();
        for (var id = 0; id < vocabularySize; id++)
        {
            if (!taken.Contains(id))
            {
                // "Ġ" is the byte-level spelling of a space.
                vocabulary[$"\u0120w{id}"] = id;
            }
        }

        var path = Path.Combine(folder, "tokenizer.json");
        var text = tokenizer.ToJsonString();
        if (!File.Exists(path) || File.ReadAllText(path) != text)
        {
            File.WriteAllText(path, text);
        }
    }
}
