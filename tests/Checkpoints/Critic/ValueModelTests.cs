using VerlOrleans.Checkpoints.Inspection;
using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.Tests.Lora;
using VerlOrleans.Checkpoints.Validation;
using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests.Critic;

/// <summary>
/// verl critics (value models) written by real PyTorch: found in a run's <c>critic/</c> folder, validated and merged
/// with their score head (or TRL value head) kept, and marked as value models everywhere a report or inspection says
/// what a checkpoint is, so an evaluation can refuse them.
/// </summary>
public sealed class ValueModelTests : IDisposable
{
    private readonly TempDirectory _dir = new("critic");

    [Fact]
    public void A_score_head_critic_merges_with_its_head_and_a_config_that_says_token_classification()
    {
        var result = CheckpointMerger.Merge(LoraFixtures.Critic("score-w2"), new MergeOptions(_dir.Combine("out")) { DType = null, VerifyAgainst = LoraFixtures.Critic("score-w2-expected", "f32") });

        Assert.True(result.Verification!.Passed);
        Assert.Equal(LoraFixtures.Hash(LoraFixtures.Critic("score-w2-expected", "f32")), result.ContentHash);
        var model = SafetensorsModel.Open(result.TargetDir);
        Assert.Equal([1L, 16], model.Tensors["score.weight"].Shape);
        Assert.Equal([1L], model.Tensors["score.bias"].Shape);  // only rank 0 held a shard of it
        Assert.DoesNotContain("lm_head.weight", model.Tensors.Keys);
        var config = HfModelConfig.Load(Path.Combine(result.TargetDir, "config.json"));
        Assert.Equal("Qwen2ForTokenClassification", config.Root["architectures"]![0]!.GetValue<string>());
        Assert.Contains(result.Notes, n => n.Contains("Qwen2ForCausalLM -> Qwen2ForTokenClassification", StringComparison.Ordinal));
        var issue = Assert.Single(result.Validation.Issues, i => i.Code == ValueModel.IssueCode);
        Assert.StartsWith("value model: it scores, it does not generate (score.weight [1, 16], no lm_head.weight)", issue.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Validation.Issues, i => i.Code == "lm-head-missing");
    }

    [Fact]
    public void A_trl_value_head_critic_loses_the_pretrained_model_prefix_and_keeps_its_head()
    {
        var result = CheckpointMerger.Merge(LoraFixtures.Critic("v-head-w1"), new MergeOptions(_dir.Combine("out")) { DType = null });

        Assert.Equal(LoraFixtures.Hash(LoraFixtures.Critic("v-head-w1-expected", "f32")), result.ContentHash);
        Assert.Contains(result.Validation.Issues, i => i.Code == ValueModel.IssueCode && i.Message.Contains("v_head.summary.weight [1, 16]", StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_folder_with_actor_and_critic_is_discovered_and_inspected_as_a_language_model_and_a_value_model()
    {
        var step = _dir.Combine("run", "global_step_3");
        FixturePaths.CopyFolder(LoraFixtures.Lora("fsdp-w1"), Path.Combine(step, "actor"));
        FixturePaths.CopyFolder(LoraFixtures.Critic("score-w2"), Path.Combine(step, "critic"));

        var inspected = CheckpointInspector.Inspect(_dir.Combine("run"));

        Assert.Equal(["actor", "critic"], inspected.Checkpoints.Select(c => c.Role));
        Assert.All(inspected.Checkpoints, c => Assert.Equal(CheckpointKind.VerlShardSet, c.Kind));
        Assert.Equal(["peft-lora", "value-model"], inspected.Models.Select(m => m.Kind));
        Assert.Contains("it does not generate", inspected.Models[1].Description, StringComparison.Ordinal);
        Assert.Contains("rank 4", inspected.Models[0].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspecting_a_critic_shard_file_or_its_merged_folder_says_value_model()
    {
        var file = CheckpointInspector.Inspect(LoraFixtures.Critic("score-w2", "model_world_size_2_rank_0.pt"));
        Assert.True(Assert.Single(file.Models).IsValueModel);

        var merged = CheckpointMerger.Merge(LoraFixtures.Critic("score-w2"), new MergeOptions(_dir.Combine("merged"))).TargetDir;
        Assert.True(Assert.Single(CheckpointInspector.Inspect(merged).Models).IsValueModel);
        Assert.Contains(CheckpointValidator.Validate(merged).Issues, i => i.Code == ValueModel.IssueCode);
    }

    [Fact]
    public void An_actor_is_not_a_value_model()
    {
        Assert.Null(ValueModel.Detect([("model.embed_tokens.weight", [41, 16]), ("lm_head.weight", [41, 16])]));
        Assert.Null(ValueModel.Detect([("model.embed_tokens.weight", [41, 16]), ("score.weight", [1, 16]), ("lm_head.weight", [41, 16])]));
        Assert.Equal("score", ValueModel.Detect([("base_model.model.score.weight", [1, 16])])!.Kind);
        Assert.DoesNotContain(CheckpointValidator.Validate(FixturePaths.Torch113("w1-plain")).Issues, i => i.Code == ValueModel.IssueCode);
    }

    public void Dispose() => _dir.Dispose();
}
