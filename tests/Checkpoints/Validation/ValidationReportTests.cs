using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Validation;
using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests.Validation;

/// <summary>What validation reports about well-formed checkpoints of every kind the fixtures cover.</summary>
public sealed class ValidationReportTests : IDisposable
{
    private readonly TempDirectory _dir = new("validation");

    [Fact]
    public void Fsdp2_with_verl_placement_reports_shard_1_layouts()
    {
        var report = CheckpointValidator.Validate(FixturePaths.Torch26("fsdp2-shard1-w2"));

        Assert.Equal(ValidationStatus.Valid, report.Status);
        Assert.Equal(2, report.WorldSize);
        Assert.Equal(2, report.FsdpVersion);
        Assert.Equal("mesh [2] (fsdp)", report.Mesh);
        Assert.Equal("DTensor Shard(1) over 2 ranks", report.Tensors.Single(t => t.Name == "model.embed_tokens.weight").Layout);
        Assert.Equal("DTensor Shard(0) over 2 ranks", report.Tensors.Single(t => t.Name == "model.norm.weight").Layout);
    }

    [Fact]
    public void Hsdp_uses_the_first_replica_group_and_says_so()
    {
        var report = CheckpointValidator.Validate(FixturePaths.Torch26("hsdp-fsdp1-2x2"));

        Assert.True(report.IsValid);
        Assert.Contains(report.Issues, i => i.Code == "hsdp" && i.Severity == IssueSeverity.Info);
        Assert.All(report.Tensors, t => Assert.Equal("DTensor Shard(0) over 2 ranks, replica group 0 of 2", t.Layout));
    }

    [Fact]
    public void Older_layouts_are_valid_with_warnings_and_their_kinds_named()
    {
        var legacy = CheckpointValidator.Validate(FixturePaths.Torch113("legacy-plain-w2"));
        Assert.True(legacy.IsValid);
        Assert.Equal(["fsdp-config-missing", "generation-config-missing"], legacy.Issues.Select(i => i.Code).Order());
        Assert.Contains("legacy", legacy.Tensors.Single(t => t.Name == "model.embed_tokens.weight").Layout, StringComparison.Ordinal);
        Assert.Contains("replicated", legacy.Tensors.Single(t => t.Name == "model.layers.0.layer_scalar").Layout, StringComparison.Ordinal);

        var sharded = CheckpointValidator.Validate(FixturePaths.Torch113("fsdp1-sharded-tensor-w2"));
        Assert.True(sharded.IsValid);
        Assert.Equal("ShardedTensor dim 0 over 2 shards", sharded.Tensors.Single(t => t.Name == "model.embed_tokens.weight").Layout);

        var single = CheckpointValidator.Validate(FixturePaths.Torch113("w1-plain"));
        Assert.True(single.IsValid);
        Assert.All(single.Tensors, t => Assert.Equal("plain tensor (single rank)", t.Layout));
    }

    [Fact]
    public void A_merged_folder_validates_as_hugging_face_and_a_run_folder_is_not_merged_whole()
    {
        var merged = CheckpointMerger.Merge(FixturePaths.Torch26("fsdp1-w2"), new MergeOptions(_dir.Combine("hf")));
        var report = CheckpointValidator.Validate(merged.TargetDir, new ValidationOptions(ScanNonFinite: true));
        Assert.Equal(CheckpointKind.HuggingFace, report.Kind);
        Assert.True(report.IsValid, string.Join("; ", report.Issues));
        Assert.All(report.Tensors, t => Assert.Equal(0, t.NonFiniteCount));

        var run = CheckpointValidator.Validate(FixturePaths.Torch26("fsdp2-run"));
        Assert.Equal(CheckpointKind.VerlRun, run.Kind);
        Assert.Equal(ValidationStatus.Unreadable, run.Status);
        Assert.Contains("global_step_2", run.Issues[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_non_finite_scan_finds_nan_and_inf()
    {
        var folder = Directory.CreateDirectory(_dir.Combine("nan")).FullName;
        File.Copy(FixturePaths.Torch113("plain-tensors.safetensors"), Path.Combine(folder, "model.safetensors"));
        File.WriteAllText(Path.Combine(folder, "config.json"), "{}");

        var report = CheckpointValidator.Validate(folder, new ValidationOptions(ScanNonFinite: true));

        Assert.Equal(ValidationStatus.Invalid, report.Status);
        var issue = Assert.Single(report.Issues, i => i.Code == "non-finite");
        Assert.Equal("special", issue.Key);
        Assert.Equal(3, report.Tensors.Single(t => t.Name == "special").NonFiniteCount);
    }

    [Fact]
    public void Discovery_lists_run_steps_and_marks_the_latest()
    {
        var run = CheckpointDiscovery.Discover(FixturePaths.Torch26("fsdp2-run"));

        Assert.Equal(CheckpointKind.VerlRun, run.Kind);
        Assert.Equal(2, run.LatestStep);
        Assert.Equal([(1L, "actor", false), (2L, "actor", true)], run.Checkpoints.Select(c => (c.Step!.Value, c.Role!, c.IsLatest)));

        var step = CheckpointDiscovery.Discover(FixturePaths.Torch26("fsdp2-run", "global_step_1"));
        Assert.Equal(1, Assert.Single(step.Checkpoints).Step);

        var actor = CheckpointDiscovery.Discover(FixturePaths.Torch26("fsdp2-run", "global_step_2", "actor"));
        Assert.Equal((CheckpointKind.VerlShardSet, 2L, "actor"), (actor.Kind, actor.Checkpoints[0].Step!.Value, actor.Checkpoints[0].Role!));

        Assert.Throws<CheckpointFormatException>(() => CheckpointDiscovery.Discover(_dir.Path));
    }

    public void Dispose() => _dir.Dispose();
}
