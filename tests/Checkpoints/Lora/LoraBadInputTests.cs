using VerlOrleans.Checkpoints.Lora;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Validation;
using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests.Lora;

/// <summary>
/// Every LoRA input that cannot be merged correctly is refused before anything is written, with an error that names
/// the file and the tensor: a missing shard, a rank that disagrees with the config, an adapter for another base, verl's
/// alpha-0 config, a missing alpha, conflicting files, PEFT features the merge does not implement.
/// </summary>
public sealed class LoraBadInputTests : IDisposable
{
    private readonly TempDirectory _dir = new("lora-bad");

    [Fact]
    public void A_missing_shard_of_peft_wrapped_shards_is_refused()
    {
        var actor = Copy("fsdp-w2");
        File.Delete(Path.Combine(actor, "model_world_size_2_rank_1.pt"));

        var error = Refused(actor, new MergeOptions(_dir.Combine("out")));

        Assert.Contains(error.Validation!.Errors, i => i.Code == "missing-rank" && i.File!.EndsWith("model_world_size_2_rank_1.pt", StringComparison.Ordinal));
    }

    [Fact]
    public void A_truncated_adapter_file_is_unreadable()
    {
        var adapter = Copy("adapter");
        var weights = Path.Combine(adapter, "adapter_model.safetensors");
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..100]);

        var error = Refused(adapter, Options());

        Assert.Equal(ValidationStatus.Unreadable, error.Validation!.Status);
        Assert.Contains(error.Validation.Errors, i => i.File == weights);
    }

    [Fact]
    public void A_rank_that_disagrees_with_the_config_names_the_tensor()
    {
        var adapter = Copy("adapter");
        LoraFixtures.EditJson(Path.Combine(adapter, LoraAdapterConfig.FileName), c => c["r"] = 8);

        var error = Refused(adapter, Options());

        Assert.Equal(14, error.Validation!.Errors.Count(i => i.Code == "lora-rank-mismatch")); // 7 projections x 2 layers
        var issue = error.Validation.Errors.First(i => i.Code == "lora-rank-mismatch");
        Assert.Contains("has rank 4", issue.Message, StringComparison.Ordinal);
        Assert.Contains("says r 8", issue.Message, StringComparison.Ordinal);
        Assert.StartsWith("base_model.model.model.layers.", issue.Key, StringComparison.Ordinal);
        Assert.EndsWith(".lora_A.weight", issue.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rank_in_lora_train_meta_that_the_shards_do_not_have_is_refused()
    {
        var actor = Copy("fsdp-w1");
        File.WriteAllText(Path.Combine(actor, LoraTrainMeta.FileName), """{"r": 16, "lora_alpha": 8, "task_type": "CAUSAL_LM"}""");

        var issue = Refused(actor, new MergeOptions(_dir.Combine("out"))).Validation!.Errors.First(i => i.Code == "lora-rank-mismatch");

        Assert.EndsWith(".lora_A.default.weight", issue.Key, StringComparison.Ordinal);
        Assert.EndsWith("model_world_size_1_rank_0.pt", issue.File, StringComparison.Ordinal);
    }

    [Fact]
    public void An_adapter_for_another_base_names_the_missing_modules_and_the_mismatched_shapes()
    {
        var error = Refused(LoraFixtures.Lora("adapter"), Options(LoraFixtures.Lora("other-base")));

        var missing = error.Validation!.Errors.Where(i => i.Code == "lora-target-missing").ToList();
        Assert.Equal(7, missing.Count); // every projection of layer 1: the other base has one layer
        Assert.All(missing, i => Assert.Contains("model.layers.1.", i.Key, StringComparison.Ordinal));
        var shapes = error.Validation.Errors.Where(i => i.Code == "lora-shape-mismatch").ToList();
        Assert.Equal(["down_proj", "gate_proj", "up_proj"], shapes.Select(i => i.Key!.Split('.')[^3]).Order(StringComparer.Ordinal).ToList());
        Assert.Contains("is [32, 16]: an adapter for another base?", shapes.Single(i => i.Key!.Contains("gate_proj", StringComparison.Ordinal)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_base_with_more_targeted_modules_than_the_adapter_is_refused()
    {
        var adapter = Copy("adapter");
        LoraFixtures.FilterSafetensors(Path.Combine(adapter, "adapter_model.safetensors"), name => !name.Contains("layers.1.mlp", StringComparison.Ordinal));

        var error = Refused(adapter, Options());

        Assert.Equal(3, error.Validation!.Errors.Count(i => i.Code == "lora-target-without-weights"));
    }

    [Fact]
    public void Alpha_0_is_refused_naming_verls_bug_and_the_fix()
    {
        var adapter = Copy("adapter");
        LoraFixtures.EditJson(Path.Combine(adapter, LoraAdapterConfig.FileName), c => c["lora_alpha"] = 0);

        var issue = Single(Refused(adapter, Options()), "lora-alpha-zero");

        Assert.Contains("verl's known merger bug", issue.Message, StringComparison.Ordinal);
        Assert.Contains("lora_train_meta.json", issue.Message, StringComparison.Ordinal);
        Assert.Contains("--lora-alpha", issue.Message, StringComparison.Ordinal);
        Assert.EndsWith(LoraAdapterConfig.FileName, issue.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Shards_with_lora_weights_but_no_alpha_anywhere_are_refused_until_alpha_is_given()
    {
        var actor = Copy("fsdp-w1");
        File.Delete(Path.Combine(actor, LoraTrainMeta.FileName));

        Single(Refused(actor, new MergeOptions(_dir.Combine("out"))), "lora-alpha-missing");
        var merged = CheckpointMerger.Merge(actor, new MergeOptions(_dir.Combine("given")) { DType = null, Lora = new LoraOptions(Alpha: 8) });
        Assert.Equal(LoraFixtures.Hash(LoraFixtures.Lora("fsdp-w1-expected", "f32")), merged.ContentHash);
    }

    [Fact]
    public void Lora_train_meta_and_adapter_config_that_disagree_on_alpha_are_refused()
    {
        var actor = Copy("fsdp-w2");
        File.WriteAllText(Path.Combine(actor, LoraTrainMeta.FileName), """{"r": 4, "lora_alpha": 16, "task_type": "CAUSAL_LM"}""");

        Assert.Contains("16", Single(Refused(actor, new MergeOptions(_dir.Combine("out"))), "lora-alpha-conflict").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_base_model_anywhere_is_refused_saying_where_it_looked()
    {
        var issue = Single(Refused(LoraFixtures.Lora("adapter"), new MergeOptions(_dir.Combine("out")) { Lora = new LoraOptions { HubCache = _dir.Combine("no-hub") } }), "lora-base-missing");

        Assert.Contains("verlorleans/tiny-qwen2-base", issue.Message, StringComparison.Ordinal);
        Assert.Contains("nothing is downloaded", issue.Message, StringComparison.Ordinal);
        Assert.Contains("--lora-base", issue.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("use_dora", "true", "DoRA")]
    [InlineData("bias", "\"all\"", "trained biases")]
    [InlineData("modules_to_save", "[\"lm_head\"]", "modules_to_save")]
    [InlineData("peft_type", "\"IA3\"", "not LORA")]
    public void Peft_features_the_merge_does_not_implement_are_refused(string field, string json, string expected)
    {
        var adapter = Copy("adapter");
        LoraFixtures.EditJson(Path.Combine(adapter, LoraAdapterConfig.FileName), c => c[field] = System.Text.Json.Nodes.JsonNode.Parse(json));

        Assert.Contains(expected, Single(Refused(adapter, Options()), "lora-unsupported").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lora_weights_for_a_module_target_modules_does_not_name_are_refused()
    {
        var adapter = Copy("adapter");
        LoraFixtures.EditJson(Path.Combine(adapter, LoraAdapterConfig.FileName), c => c["target_modules"] = new System.Text.Json.Nodes.JsonArray("q_proj", "k_proj", "v_proj", "o_proj"));

        var error = Refused(adapter, Options());

        Assert.Equal(6, error.Validation!.Errors.Count(i => i.Code == "lora-not-targeted"));
    }

    [Fact]
    public void A_lora_A_without_its_lora_B_is_refused()
    {
        var adapter = Copy("adapter");
        LoraFixtures.FilterSafetensors(Path.Combine(adapter, "adapter_model.safetensors"), name => name != "base_model.model.model.layers.0.mlp.up_proj.lora_B.weight");

        var issue = Single(Refused(adapter, Options()), "lora-pair-incomplete");

        Assert.Equal("base_model.model.model.layers.0.mlp.up_proj.lora_A.weight", issue.Key);
    }

    public void Dispose() => _dir.Dispose();

    private MergeOptions Options(string? baseModel = null) => new(_dir.Combine("out")) { Lora = new LoraOptions(baseModel ?? LoraFixtures.Base) };

    private string Copy(string fixture) => FixturePaths.CopyFolder(LoraFixtures.Lora(fixture), _dir.Combine("in-" + fixture));

    /// <summary>The merge throws, and nothing but the inputs exists afterwards (no target, no staging folder).</summary>
    private CheckpointMergeException Refused(string source, MergeOptions options)
    {
        var before = Directory.EnumerateFileSystemEntries(_dir.Path).Select(Path.GetFileName).ToArray();
        var error = Assert.Throws<CheckpointMergeException>(() => CheckpointMerger.Merge(source, options));
        Assert.False(Directory.Exists(options.TargetDir));
        LoraFixtures.AssertOnly(_dir.Path, before!);
        Assert.StartsWith("not merged: ", error.Message, StringComparison.Ordinal);
        return error;
    }

    private static ValidationIssue Single(CheckpointMergeException error, string code) => Assert.Single(error.Validation!.Errors, i => i.Code == code);
}
