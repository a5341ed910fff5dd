using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests;

/// <summary>
/// validate / merge / inspect on the Megatron dist_ckpt fixtures real torch.distributed.checkpoint wrote, and the merged
/// model run by the grid's own decoder: its logits at every prompt position equal PyTorch's for the weights the chunks
/// were cut from (tools/inference/hf_reference.py, float32) within the decoder parity tests' 1e-4.
/// </summary>
public sealed class MegatronCheckpointCommandsTests : IDisposable
{
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
        MergedModelLogits.AssertEqualToPyTorch(target, expected, "megatron");
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
