using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests;

/// <summary>
/// validate / merge / inspect on the Megatron fixtures real PyTorch wrote (dist_ckpt, the per-rank mp_rank layout, a
/// verl critic), and the merged model run by the grid's own decoder: its logits at every prompt position equal
/// PyTorch's for the weights the chunks were cut from (tools/inference/hf_reference.py, float32) within the decoder
/// parity tests' 1e-4. eval refuses the critic.
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

    [Fact]
    public async Task Validate_inspect_and_merge_read_the_per_rank_layout_bit_for_bit()
    {
        var actor = Path.Combine(Fixtures, "tp2-pp2-legacy", "global_step_1", "actor");
        var (exit, output, error) = await CliHarness.RunAsync("validate", "--local-dir", actor);
        Assert.True(exit == 0, error);
        Assert.StartsWith("valid: ", output, StringComparison.Ordinal);
        Assert.Contains("MegatronDistCkpt", output, StringComparison.Ordinal);
        Assert.Contains("[megatron-per-rank] Megatron per-rank checkpoint: TP 2 x PP 2 (saved args agree; num_layers 4), layers per stage 2/2", output, StringComparison.Ordinal);

        var (inspectExit, inspectOutput, _) = await CliHarness.RunAsync("inspect", Path.Combine(Fixtures, "tp2-pp2-legacy"));
        Assert.Equal(0, inspectExit);
        Assert.Contains("Megatron per-rank checkpoint (mp_rank): language model (lm_head.weight [24, 16])", inspectOutput, StringComparison.Ordinal);

        var (mergeExit, mergeOutput, mergeError) = await CliHarness.RunAsync("merge", "--local-dir", actor, "--target-dir", _dir.Combine("merged"),
            "--dtype", "keep", "--verify-against", Path.Combine(Fixtures, "tp2-pp2-expected"));
        Assert.True(mergeExit == 0, mergeError);
        Assert.Contains(": passed", mergeOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_megatron_critic_is_a_value_model_to_validate_inspect_and_merge_and_eval_refuses_it()
    {
        var critic = Path.Combine(Fixtures, "critic-tp2-pp2", "global_step_1", "critic");
        const string Refusal = "value model: it scores, it does not generate";
        var (exit, output, error) = await CliHarness.RunAsync("validate", "--local-dir", critic);
        Assert.True(exit == 0, error);
        Assert.Contains($"[value-model] {Refusal} (score.weight [1, 16], no lm_head.weight)", output, StringComparison.Ordinal);

        var (inspectExit, inspectOutput, _) = await CliHarness.RunAsync("inspect", Path.Combine(Fixtures, "critic-tp2-pp2"));
        Assert.Equal(0, inspectExit);
        Assert.Contains($"{Refusal} (Megatron output_layer.weight [1, 16]: verl's critic head, merged as score.weight)", inspectOutput, StringComparison.Ordinal);

        var (mergeExit, mergeOutput, mergeError) = await CliHarness.RunAsync("merge", "--local-dir", critic, "--target-dir", _dir.Combine("merged"),
            "--dtype", "keep", "--verify-against", Path.Combine(Fixtures, "critic-tp2-pp2-expected"));
        Assert.True(mergeExit == 0, mergeError);
        Assert.Contains(": passed", mergeOutput, StringComparison.Ordinal);

        var (evalExit, _, evalError) = await CliHarness.RunAsync("eval", "--model", critic, "--data", VerlData.Gsm8k, "--out", _dir.Combine("run"),
            "--merge-cache", _dir.Combine("cache"), "--max-samples", "1");
        Assert.Equal(2, evalExit);
        Assert.StartsWith("eval: ", evalError, StringComparison.Ordinal);
        Assert.Contains($"{Refusal} (Megatron output_layer.weight [1, 16]", evalError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.Combine("cache")));
    }

    public void Dispose() => _dir.Dispose();
}
