using VerlOrleans.Checkpoints;
using VerlOrleans.Cli.Evaluation;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests;

/// <summary>
/// validate / merge / inspect on the LoRA and critic fixtures real PyTorch wrote, and the merged LoRA models run by the
/// grid's own decoder: their logits at every prompt position equal those PyTorch computed for PEFT's merge
/// (tools/inference/hf_reference.py, float32) within the decoder parity tests' 1e-4.
/// </summary>
public sealed class LoraCheckpointCommandsTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(RepositoryPaths.Root, "tests", "Checkpoints", "Fixtures", "torch-1.13");
    private readonly TempDirectory _dir = new("cli-lora");

    private static string Lora(params string[] parts) => Path.Combine([Fixtures, "lora", .. parts]);

    private static string Critic(params string[] parts) => Path.Combine([Fixtures, "critic", .. parts]);

    [Theory]
    [InlineData("adapter")]
    [InlineData("adapter-rslora")]
    [InlineData("adapter-fan-in-fan-out")]
    [InlineData("fsdp-w1")]
    [InlineData("fsdp-w2")]
    public async Task A_merged_lora_model_gives_pytorchs_logits_at_every_position(string source)
    {
        var target = _dir.Combine(source);

        string[] baseModel = source.StartsWith("fsdp", StringComparison.Ordinal) ? [] : ["--lora-base", Lora("base")]; // shards carry their base
        var (exit, output, error) = await CliHarness.RunAsync(["merge", "--local-dir", Lora(source), "--target-dir", target, "--dtype", "keep",
            "--verify-against", Lora(source + "-expected", "f32"), .. baseModel]);

        Assert.True(exit == 0, error);
        Assert.Contains(": passed", output, StringComparison.Ordinal);
        var expected = Lora(source + "-expected");
        MergedModelLogits.AssertEqualToPyTorch(target, expected, source);
    }

    [Fact]
    public async Task Validate_reports_the_lora_merge_and_refuses_alpha_0_naming_the_fix()
    {
        var (exit, output, _) = await CliHarness.RunAsync("validate", "--local-dir", Lora("adapter"), "--lora-base", Lora("base"));
        Assert.Equal(0, exit);
        Assert.StartsWith("valid: ", output, StringComparison.Ordinal);
        Assert.Contains("LoraAdapter", output, StringComparison.Ordinal);
        Assert.Contains("[lora] LoRA on 14 modules", output, StringComparison.Ordinal);

        var adapter = _dir.Combine("alpha0");
        Directory.CreateDirectory(adapter);
        File.Copy(Lora("adapter", "adapter_model.safetensors"), Path.Combine(adapter, "adapter_model.safetensors"));
        File.WriteAllText(Path.Combine(adapter, "adapter_config.json"), File.ReadAllText(Lora("adapter", "adapter_config.json")).Replace("\"lora_alpha\": 8", "\"lora_alpha\": 0", StringComparison.Ordinal));

        var (badExit, badOutput, _) = await CliHarness.RunAsync("validate", "--local-dir", adapter, "--lora-base", Lora("base"));
        Assert.Equal(1, badExit);
        Assert.Contains("[lora-alpha-zero]", badOutput, StringComparison.Ordinal);
        Assert.Contains("--lora-alpha", badOutput, StringComparison.Ordinal);

        var target = _dir.Combine("fixed");
        var (fixedExit, _, fixedError) = await CliHarness.RunAsync("merge", "--local-dir", adapter, "--target-dir", target, "--lora-base", Lora("base"), "--lora-alpha", "8",
            "--verify-against", Lora("adapter-expected", "bf16"));
        Assert.True(fixedExit == 0, fixedError);
    }

    [Fact]
    public async Task Merging_an_adapter_for_another_base_exits_1_naming_the_tensor_and_writes_nothing()
    {
        var target = _dir.Combine("never");

        var (exit, _, error) = await CliHarness.RunAsync("merge", "--local-dir", Lora("adapter"), "--target-dir", target, "--lora-base", Lora("other-base"));

        Assert.Equal(1, exit);
        Assert.Contains("[lora-shape-mismatch]", error, StringComparison.Ordinal);
        Assert.Contains("(key 'base_model.model.model.layers.0.mlp.gate_proj.lora_A.weight')", error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Path));
    }

    [Fact]
    public async Task Inspect_says_which_checkpoint_is_a_value_model_and_eval_refuses_one()
    {
        var step = _dir.Combine("run", "global_step_1");
        Copy(Lora("fsdp-w1"), Path.Combine(step, "actor"));
        Copy(Critic("score-w2"), Path.Combine(step, "critic"));

        var (exit, output, _) = await CliHarness.RunAsync("inspect", _dir.Combine("run"));

        Assert.Equal(0, exit);
        Assert.Contains("PEFT-wrapped model with LoRA (rank 4) on 14 modules", output, StringComparison.Ordinal);
        Assert.Contains("value model: it scores, it does not generate (score.weight [1, 16], no lm_head.weight)", output, StringComparison.Ordinal);

        var refused = await Assert.ThrowsAsync<CheckpointFormatException>(() => EvalModel.ResolveAsync(Path.Combine(step, "critic"), _dir.Combine("cache"), TextWriter.Null, CancellationToken.None));
        Assert.Contains("value model: it scores, it does not generate", refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.Combine("cache")));
    }

    public void Dispose() => _dir.Dispose();

    private static void Copy(string source, string destination)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
