using System.Runtime.InteropServices;
using System.Text.Json;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Inference.Models;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests;

/// <summary>
/// validate / merge / inspect on the Megatron dist_ckpt fixtures real torch.distributed.checkpoint wrote, and the merged
/// model run by the grid's own decoder: its logits at every prompt position equal PyTorch's for the weights the chunks
/// were cut from (tools/inference/hf_reference.py, float32) within the decoder parity tests' 1e-4.
/// </summary>
public sealed class MegatronCheckpointCommandsTests : IDisposable
{
    private const float Tolerance = 1e-4f;
    private static readonly string Fixtures = Path.Combine(RepositoryPaths.Root, "tests", "Checkpoints", "Fixtures", "megatron");
    private readonly TempDirectory _dir = new("cli-megatron");

    [Fact]
    public async Task A_merged_megatron_model_gives_pytorchs_logits_at_every_position()
    {
        var target = _dir.Combine("merged");
        var expected = Path.Combine(Fixtures, "tp2-dp2-tied-expected");
        var (exit, output, error) = await CliHarness.RunAsync("merge", "--local-dir", Path.Combine(Fixtures, "tp2-dp2-tied", "global_step_1", "actor"),
            "--target-dir", target, "--dtype", "keep", "--verify-against", expected);

        Assert.True(exit == 0, error);
        Assert.Contains(": passed", output, StringComparison.Ordinal);
        var prompt = JsonDocument.Parse(File.ReadAllText(Path.Combine(expected, "reference.json"))).RootElement.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()).ToList();
        var reference = SafetensorsModel.Open(Path.Combine(expected, "reference-logits.safetensors")).Tensors["logits"];
        var want = MemoryMarshal.Cast<byte, float>(SafetensorsFile.ReadAllBytes(reference)).ToArray();
        var vocab = (int)reference.Shape[1];

        using var decoder = DecoderModel.Load(target, new ModelLoadOptions(), maxSequenceLength: 32);
        using var cache = decoder.CreateKvCache(slots: 1, capacity: 32);
        using var batch = decoder.CreateBatch([new ForwardChunk(0, 0, prompt, LogitsWanted.All)], cache);
        using var logits = decoder.Forward(batch, cache)!;
        var got = logits.data<float>().ToArray();

        Assert.Equal(want.Length, got.Length);
        var worst = Enumerable.Range(0, want.Length).MaxBy(i => Math.Abs(want[i] - got[i]));
        Assert.True(Math.Abs(want[worst] - got[worst]) <= Tolerance,
            $"max abs error {Math.Abs(want[worst] - got[worst]):E2} at position {worst / vocab}, vocab id {worst % vocab} (PyTorch {want[worst]}, ours {got[worst]})");
    }

    [Fact]
    public async Task Validate_and_inspect_recognise_the_megatron_layouts()
    {
        var (exit, output, _) = await CliHarness.RunAsync("validate", "--local-dir", Path.Combine(Fixtures, "tp2-pp2", "global_step_1", "actor"));
        Assert.Equal(0, exit);
        Assert.StartsWith("valid: ", output, StringComparison.Ordinal);
        Assert.Contains("MegatronDistCkpt", output, StringComparison.Ordinal);
        Assert.Contains("[megatron-dist-ckpt]", output, StringComparison.Ordinal);

        var (inspectExit, inspectOutput, _) = await CliHarness.RunAsync("inspect", Path.Combine(Fixtures, "tp2-dp2-tied"));
        Assert.Equal(0, inspectExit);
        Assert.Contains("Megatron dist_ckpt (model/dist_ckpt)", inspectOutput, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
