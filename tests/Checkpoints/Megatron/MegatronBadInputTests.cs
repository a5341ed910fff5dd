using System.Text.Json.Nodes;
using VerlOrleans.Checkpoints.Validation;
using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests.Megatron;

/// <summary>Damaged Megatron checkpoints are refused before anything is written, with errors naming the file and tensor.</summary>
public sealed class MegatronBadInputTests : IDisposable
{
    private readonly TempDirectory _dir = new("megatron-bad");

    private string DistCkpt(string actor) => Path.Combine(actor, "model", "dist_ckpt");

    [Fact]
    public void A_missing_distcp_file_is_named()
    {
        var actor = Copy();
        File.Delete(Path.Combine(DistCkpt(actor), "__2_0.distcp"));

        var error = RefusedWith(actor, "missing-distcp-file");
        Assert.EndsWith("__2_0.distcp", error.File, StringComparison.Ordinal);
        Assert.NotNull(error.Key);
    }

    [Fact]
    public void A_chunk_missing_from_the_metadata_coverage_is_named()
    {
        var actor = Copy();
        File.Copy(MegatronFixtures.BadMetadata("missing-chunk"), Path.Combine(DistCkpt(actor), ".metadata"), overwrite: true);

        var error = RefusedWith(actor, "chunk-coverage");
        Assert.Equal("decoder.layers.self_attention.linear_proj.weight", error.Key);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pickle_naming_a_class_outside_the_allowlist_is_refused_without_running_it()
    {
        var actor = Copy();
        File.Copy(MegatronFixtures.BadMetadata("forbidden-global"), Path.Combine(DistCkpt(actor), ".metadata"), overwrite: true);

        var error = RefusedWith(actor, "unreadable-file");
        Assert.Contains("forbidden global 'posix.system'", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(".metadata", error.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Shapes_that_disagree_with_config_json_are_named()
    {
        var actor = Copy();
        var configPath = Path.Combine(actor, "model", "huggingface", "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["intermediate_size"] = 32;
        File.WriteAllText(configPath, config.ToJsonString());

        var error = RefusedWith(actor, "config-shape-mismatch");
        Assert.Contains("mlp", error.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_groups_that_do_not_divide_the_fused_qkv_are_named()
    {
        var actor = Copy();
        var configPath = Path.Combine(actor, "model", "huggingface", "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["num_key_value_heads"] = 4;
        File.WriteAllText(configPath, config.ToJsonString());

        var error = RefusedWith(actor, "unmapped-megatron-key");
        Assert.StartsWith("decoder.layers.self_attention.linear_qkv.", error.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_distcp_file_is_named()
    {
        var actor = Copy();
        var file = Path.Combine(DistCkpt(actor), "__1_0.distcp");
        using (var stream = new FileStream(file, FileMode.Open))
        {
            stream.SetLength(stream.Length / 2);
        }

        var error = RefusedWith(actor, "storage-out-of-bounds");
        Assert.EndsWith("__1_0.distcp", error.File, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();

    private string Copy() => FixturePaths.CopyFolder(MegatronFixtures.Tp2Dp2Tied, _dir.Combine("actor-" + Guid.NewGuid().ToString("N")[..8]));

    private ValidationIssue RefusedWith(string actor, string code) => MegatronRefusals.RefusedWith(actor, code, _dir.Path);
}
