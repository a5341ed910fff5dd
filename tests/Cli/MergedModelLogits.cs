using System.Runtime.InteropServices;
using System.Text.Json;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Inference.Models;

namespace VerlOrleans.Cli.Tests;

/// <summary>
/// A merged model's logits against PyTorch's: the fixture's expected folder holds <c>reference.json</c> (the prompt ids)
/// and <c>reference-logits.safetensors</c> (<c>logits</c> [T, V], tools/inference/hf_reference.py in float32); the merged
/// folder is loaded with <see cref="DecoderModel"/> and run over the prompt.
/// </summary>
internal static class MergedModelLogits
{
    /// <summary>The bound the decoder parity tests use.</summary>
    public const float Tolerance = 1e-4f;

    public static void AssertEqualToPyTorch(string mergedFolder, string expectedFolder, string label)
    {
        var prompt = JsonDocument.Parse(File.ReadAllText(Path.Combine(expectedFolder, "reference.json"))).RootElement
            .GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()).ToList();
        var reference = SafetensorsModel.Open(Path.Combine(expectedFolder, "reference-logits.safetensors")).Tensors["logits"];
        var want = MemoryMarshal.Cast<byte, float>(SafetensorsFile.ReadAllBytes(reference)).ToArray();
        var vocab = (int)reference.Shape[1];

        using var decoder = DecoderModel.Load(mergedFolder, new ModelLoadOptions(), maxSequenceLength: 32);
        using var cache = decoder.CreateKvCache(slots: 1, capacity: 32);
        using var batch = decoder.CreateBatch([new ForwardChunk(0, 0, prompt, LogitsWanted.All)], cache);
        using var logits = decoder.Forward(batch, cache)!;
        var got = logits.data<float>().ToArray();

        Assert.Equal(want.Length, got.Length);
        var worst = Enumerable.Range(0, want.Length).MaxBy(i => Math.Abs(want[i] - got[i]));
        Assert.True(Math.Abs(want[worst] - got[worst]) <= Tolerance,
            $"{label}: max abs error {Math.Abs(want[worst] - got[worst]):E2} at position {worst / vocab}, vocab id {worst % vocab} (PyTorch {want[worst]}, ours {got[worst]})");
    }
}
