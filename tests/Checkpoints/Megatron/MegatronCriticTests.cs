using VerlOrleans.Checkpoints.Inspection;
using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Megatron;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.Validation;
using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests.Megatron;

/// <summary>
/// verl's Megatron critic as real torch.distributed.checkpoint wrote it (TP=2 x PP=2 under <c>critic/</c>, the last
/// stage's one-row <c>output_layer</c> replicated over TP): validated, inspected and merged as a value model, its head
/// becoming <c>score.weight</c> bit for bit as transformers saves the critic; damaged critics refused before any write.
/// </summary>
public sealed class MegatronCriticTests : IDisposable
{
    private const string ScoreRefusal = "value model: it scores, it does not generate (score.weight [1, 16], no lm_head.weight)";
    private readonly TempDirectory _dir = new("megatron-critic");

    [Fact]
    public void Merging_the_critic_reproduces_the_score_head_model_bit_for_bit()
    {
        var reference = MegatronFixtures.Expected("critic-tp2-pp2");
        var result = CheckpointMerger.Merge(MegatronFixtures.Critic, new MergeOptions(_dir.Combine("out")) { DType = null, VerifyAgainst = reference });

        Assert.True(result.Verification!.Passed);
        Assert.Equal(ModelContentHash.Compute(SafetensorsModel.Open(reference)), result.ContentHash);
        var merged = SafetensorsModel.Open(result.TargetDir);
        Assert.Equal(SafetensorsModel.Open(reference).Tensors.Keys.Order(StringComparer.Ordinal), merged.Tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([1L, 16L], merged.Tensors["score.weight"].Shape);
        Assert.Equal(TensorDType.BF16, merged.Tensors["score.weight"].DType);
        Assert.DoesNotContain("lm_head.weight", merged.Tensors.Keys);
        var config = HfModelConfig.Load(Path.Combine(result.TargetDir, "config.json"));
        Assert.Equal("Qwen2ForTokenClassification", config.Root["architectures"]![0]!.GetValue<string>());
        Assert.Equal(CheckpointKind.MegatronDistCkpt, result.Validation.Kind);
        Assert.StartsWith(ScoreRefusal, Assert.Single(result.Validation.Issues, i => i.Code == ValueModel.IssueCode).Message, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Validation.Issues, i => i.Code == "lm-head-missing");
    }

    [Fact]
    public void Validation_discovery_and_inspection_call_the_critic_a_value_model()
    {
        var report = CheckpointValidator.Validate(MegatronFixtures.Critic);
        Assert.True(report.IsValid, string.Join("; ", report.Issues));
        Assert.Contains(report.Issues, i => i.Code == ValueModel.IssueCode && i.Message.StartsWith(ScoreRefusal, StringComparison.Ordinal));

        var run = Path.GetDirectoryName(Path.GetDirectoryName(MegatronFixtures.Critic))!;
        var found = Assert.Single(CheckpointDiscovery.Discover(run).Checkpoints);
        Assert.Equal(("critic", CheckpointKind.MegatronDistCkpt), (found.Role, found.Kind));

        var model = Assert.Single(CheckpointInspector.Inspect(run).Models);
        Assert.True(model.IsValueModel);
        Assert.StartsWith("value model: it scores, it does not generate (Megatron output_layer.weight [1, 16]", model.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_critic_whose_head_has_two_rows_is_refused_naming_the_head()
    {
        var error = MegatronRefusals.RefusedWith(MegatronFixtures.TwoRowHeadCritic, "unmapped-megatron-key", _dir.Path);

        Assert.Equal("output_layer.weight", error.Key);
        Assert.Contains("2 rows: neither verl's value head (1 row", error.Message, StringComparison.Ordinal);
        Assert.Contains("vocab_size 48", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_rank_file_holding_the_head_is_named()
    {
        var critic = FixturePaths.CopyFolder(MegatronFixtures.Critic, _dir.Combine("critic"));
        var distCkpt = Path.Combine(critic, "dist_ckpt");
        var head = DcpMetadataReader.Read(distCkpt).Tensors.Single(t => t.Key == "output_layer.weight");
        var file = Assert.Single(head.Chunks).Storage!.RelativePath; // replicated over TP: DCP keeps one copy
        File.Delete(Path.Combine(distCkpt, file));

        var error = MegatronRefusals.RefusedWith(critic, "missing-distcp-file", Directory.CreateDirectory(_dir.Combine("work")).FullName);
        Assert.EndsWith(file, error.File, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
