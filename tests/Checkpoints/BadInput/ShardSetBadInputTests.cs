using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Synthetic;
using VerlOrleans.Checkpoints.Validation;
using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests.BadInput;

/// <summary>
/// Broken shard sets: validation names the problem, the file and (where there is one) the key; a merge of them
/// throws before writing anything, and the target folder never appears.
/// </summary>
public sealed class ShardSetBadInputTests : IDisposable
{
    private readonly TempDirectory _dir = new("bad-shards");

    [Fact]
    public void Missing_rank()
    {
        var actor = Copy(FixturePaths.Torch26("fsdp2-run", "global_step_1", "actor"));
        File.Delete(Path.Combine(actor, "model_world_size_3_rank_2.pt"));

        var issue = RefusedWith(actor, "missing-rank", ValidationStatus.Invalid);

        Assert.EndsWith("model_world_size_3_rank_2.pt", issue.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_rank()
    {
        var actor = Copy(FixturePaths.Torch26("fsdp1-w2"));
        File.Copy(Path.Combine(actor, "model_world_size_2_rank_1.pt"), Path.Combine(actor, "model_world_size_2_rank_01.pt"));

        Assert.Contains("rank 1 has 2 files", RefusedWith(actor, "duplicate-rank", ValidationStatus.Invalid).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extra_rank()
    {
        var actor = Copy(FixturePaths.Torch26("fsdp1-w2"));
        File.Copy(Path.Combine(actor, "model_world_size_2_rank_1.pt"), Path.Combine(actor, "model_world_size_2_rank_2.pt"));

        Assert.EndsWith("model_world_size_2_rank_2.pt", RefusedWith(actor, "extra-rank", ValidationStatus.Invalid).File, StringComparison.Ordinal);
    }

    [Fact]
    public void World_size_in_fsdp_config_disagrees_with_the_file_names()
    {
        var actor = Copy(FixturePaths.Torch26("fsdp1-w2"));
        File.WriteAllText(Path.Combine(actor, "fsdp_config.json"), """{"FSDP_version": 1, "world_size": 4}""");

        Assert.EndsWith("fsdp_config.json", RefusedWith(actor, "world-size-mismatch", ValidationStatus.Invalid).File, StringComparison.Ordinal);
    }

    [Fact]
    public void File_names_with_two_world_sizes()
    {
        var actor = Copy(FixturePaths.Torch26("fsdp1-w2"));
        File.Delete(Path.Combine(actor, "fsdp_config.json"));
        File.Copy(Path.Combine(actor, "model_world_size_2_rank_0.pt"), Path.Combine(actor, "model_world_size_1_rank_0.pt"));

        Assert.EndsWith("model_world_size_1_rank_0.pt", RefusedWith(actor, "world-size-mismatch", ValidationStatus.Invalid).File, StringComparison.Ordinal);
    }

    [Fact]
    public void DTensor_mesh_larger_than_the_world_size()
    {
        // Two ranks of a 4-rank HSDP run, renamed as if the run had 2 ranks: the meshes still span 4.
        var source = FixturePaths.Torch26("hsdp-fsdp2-2x2");
        var actor = Copy(source);
        foreach (var rank in new[] { 0, 1, 2, 3 })
        {
            File.Delete(Path.Combine(actor, $"model_world_size_4_rank_{rank}.pt"));
        }

        File.Copy(Path.Combine(source, "model_world_size_4_rank_0.pt"), Path.Combine(actor, "model_world_size_2_rank_0.pt"));
        File.Copy(Path.Combine(source, "model_world_size_4_rank_1.pt"), Path.Combine(actor, "model_world_size_2_rank_1.pt"));
        File.WriteAllText(Path.Combine(actor, "fsdp_config.json"), """{"FSDP_version": 2, "world_size": 2}""");

        Assert.Contains("spans ranks [0, 1, 2, 3]", RefusedWith(actor, "world-size-mismatch", ValidationStatus.Invalid).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_rank_file_is_unreadable()
    {
        var actor = Copy(FixturePaths.Torch26("fsdp1-w2"));
        var rank = Path.Combine(actor, "model_world_size_2_rank_1.pt");
        File.WriteAllBytes(rank, File.ReadAllBytes(rank)[..4000]);

        Assert.Equal(rank, RefusedWith(actor, "unreadable-file", ValidationStatus.Unreadable).File);
    }

    [Fact]
    public void Global_shape_mismatch_between_ranks()
    {
        var small = SyntheticSet("small", new DecoderShape(10, 8, 12, 1, 2, 1, false));
        var large = SyntheticSet("large", new DecoderShape(12, 8, 12, 1, 2, 1, false));
        File.Copy(Path.Combine(large, "model_world_size_2_rank_1.pt"), Path.Combine(small, "model_world_size_2_rank_1.pt"), overwrite: true);

        var issue = RefusedWith(small, "shape-mismatch", ValidationStatus.Invalid);

        Assert.Equal("model.embed_tokens.weight", issue.Key);
        Assert.EndsWith("model_world_size_2_rank_1.pt", issue.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_sets_that_differ_between_ranks()
    {
        var one = SyntheticSet("one", new DecoderShape(10, 8, 12, 1, 2, 1, false));
        var two = SyntheticSet("two", new DecoderShape(10, 8, 12, 2, 2, 1, false));
        File.Copy(Path.Combine(two, "model_world_size_2_rank_1.pt"), Path.Combine(one, "model_world_size_2_rank_1.pt"), overwrite: true);

        var issue = RefusedWith(one, "key-set-mismatch", ValidationStatus.Invalid);

        Assert.StartsWith("model.layers.1.", issue.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void Legacy_plain_shards_whose_concatenation_contradicts_config_json()
    {
        var actor = Copy(FixturePaths.Torch113("legacy-plain-w2"));
        var config = Path.Combine(actor, "huggingface", "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"vocab_size\": 41", "\"vocab_size\": 42", StringComparison.Ordinal));

        var issue = RefusedWith(actor, "config-shape-mismatch", ValidationStatus.Invalid);

        Assert.Equal("model.embed_tokens.weight", issue.Key);
        Assert.Contains("[41, 16] but config.json implies [42, 16]", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_verify_against_reference_with_a_corrupt_header_publishes_nothing()
    {
        var reference = Copy(FixturePaths.Torch26("fsdp1-w2-expected", "bf16"));
        var weights = Path.Combine(reference, "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        bytes[9] = 0xff;                                                        // inside the JSON header: not UTF-8
        File.WriteAllBytes(weights, bytes);
        var target = _dir.Combine("target");

        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointMerger.Merge(FixturePaths.Torch26("fsdp1-w2"), new MergeOptions(target) { VerifyAgainst = reference }));

        Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
        AssertNothingWritten(target);
    }

    [Fact]
    public void A_verify_against_reference_with_other_values_publishes_nothing()
    {
        var target = _dir.Combine("target");
        var error = Assert.Throws<CheckpointMergeException>(() => CheckpointMerger.Merge(FixturePaths.Torch26("fsdp1-w2"),
            new MergeOptions(target) { VerifyAgainst = FixturePaths.Torch26("hsdp-fsdp1-2x2-expected", "bf16") }));

        Assert.False(error.Verification!.Passed);
        Assert.Contains("model.embed_tokens.weight", error.Verification.Mismatches.Select(m => m.Key));
        AssertNothingWritten(target);
    }

    public void Dispose() => _dir.Dispose();

    private ValidationIssue RefusedWith(string actor, string code, ValidationStatus status)
    {
        var report = CheckpointValidator.Validate(actor);
        Assert.Equal(status, report.Status);
        Assert.Contains(code, report.Issues.Select(i => i.Code));
        var issue = report.Issues.First(i => i.Code == code);
        Assert.Equal(IssueSeverity.Error, issue.Severity);
        Assert.NotNull(issue.File);

        var target = _dir.Combine("target");
        var error = Assert.Throws<CheckpointMergeException>(() => CheckpointMerger.Merge(actor, new MergeOptions(target)));
        Assert.Contains($"[{code}]", error.Message, StringComparison.Ordinal);
        AssertNothingWritten(target);
        return issue;
    }

    private void AssertNothingWritten(string target)
    {
        Assert.False(Directory.Exists(target));
        Assert.DoesNotContain(Directory.EnumerateDirectories(_dir.Path), d => Path.GetFileName(d).Contains("partial", StringComparison.Ordinal));
    }

    private string Copy(string source) => FixturePaths.CopyFolder(source, _dir.Combine($"copy-{Guid.NewGuid():N}"));

    private string SyntheticSet(string name, DecoderShape shape)
    {
        var actor = _dir.Combine(name);
        SyntheticShardSet.Write(actor, shape, 2);
        return actor;
    }
}
