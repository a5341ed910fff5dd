using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests.Merge;

/// <summary>
/// Every shard set real PyTorch wrote merges into exactly the weights the same model had before sharding
/// (written by hand as safetensors by the generator), in bf16 (PyTorch's rounding) and in the source dtype.
/// </summary>
public sealed class MergeFixtureTests : IDisposable
{
    private readonly TempDirectory _dir = new("merge");

    public static TheoryData<string, string, string> ShardSets() => new()
    {
        { "torch-2.6", "fsdp1-w2", "fsdp1-w2-expected" },
        { "torch-2.6", "hsdp-fsdp1-2x2", "hsdp-fsdp1-2x2-expected" },
        { "torch-2.6", "fsdp2-run/global_step_1/actor", "fsdp2-run-expected/global_step_1" },
        { "torch-2.6", "fsdp2-run/global_step_2/actor", "fsdp2-run-expected/global_step_2" },
        { "torch-2.6", "fsdp2-shard1-w2", "fsdp2-shard1-w2-expected" },
        { "torch-2.6", "hsdp-fsdp2-2x2", "hsdp-fsdp2-2x2-expected" },
        { "torch-1.13", "w1-plain", "w1-plain-expected" },
        { "torch-1.13", "legacy-plain-w2", "legacy-plain-w2-expected" },
        { "torch-1.13", "fsdp1-sharded-tensor-w2", "fsdp1-sharded-tensor-w2-expected" },
    };

    [Theory]
    [MemberData(nameof(ShardSets))]
    public void Merging_in_the_source_dtype_reproduces_the_unsharded_weights(string producer, string source, string expected)
    {
        var reference = Path.Combine(FixturePaths.Root, producer, expected, "f32");
        var result = CheckpointMerger.Merge(Path.Combine(FixturePaths.Root, producer, source),
            new MergeOptions(_dir.Combine("out")) { DType = null, VerifyAgainst = reference });

        Assert.True(result.Verification!.Passed);
        Assert.Equal(SafetensorsModel.Open(reference).Tensors.Count, result.TensorCount);
        Assert.Equal(ModelContentHash.Compute(SafetensorsModel.Open(reference)), result.ContentHash);
    }

    [Theory]
    [MemberData(nameof(ShardSets))]
    public void Merging_to_bf16_matches_torch_rounding(string producer, string source, string expected)
    {
        var reference = Path.Combine(FixturePaths.Root, producer, expected, "bf16");
        if (!Directory.Exists(reference))
        {
            reference = Path.Combine(FixturePaths.Root, producer, expected, "f32");
            var merged = CheckpointMerger.Merge(Path.Combine(FixturePaths.Root, producer, source), new MergeOptions(_dir.Combine("out")));
            Assert.All(SafetensorsModel.Open(merged.TargetDir).Tensors.Values, t => Assert.Equal(TensorDType.BF16, t.DType));
            return;
        }

        var result = CheckpointMerger.Merge(Path.Combine(FixturePaths.Root, producer, source), new MergeOptions(_dir.Combine("out")) { VerifyAgainst = reference });

        Assert.True(result.Verification!.Passed);
        Assert.Equal(ModelContentHash.Compute(SafetensorsModel.Open(reference)), result.ContentHash);
    }

    [Fact]
    public void Tied_embeddings_drop_the_head_and_replicated_buffers_keep_one_copy()
    {
        var result = CheckpointMerger.Merge(FixturePaths.Torch26("fsdp2-run", "global_step_1", "actor"), new MergeOptions(_dir.Combine("tied")));
        var model = SafetensorsModel.Open(result.TargetDir);

        Assert.Equal(["lm_head.weight"], result.DroppedKeys);
        Assert.DoesNotContain("lm_head.weight", model.Tensors.Keys);
        Assert.Empty(model.Tensors["model.layers.0.layer_scalar"].Shape);       // verl's merger crashes on this 0-dim buffer
        Assert.Equal([16L], model.Tensors["model.std_scale"].Shape);              // ... and makes this one [48]
        var layout = result.Validation.Tensors.Single(t => t.Name == "model.std_scale").Layout;
        Assert.Contains("replicated", layout, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_folder_has_config_with_the_new_dtype_and_the_copied_side_files()
    {
        var result = CheckpointMerger.Merge(FixturePaths.Torch26("fsdp1-w2"), new MergeOptions(_dir.Combine("side")));

        Assert.Equal(["config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"], result.Files);
        var config = Layouts.HfModelConfig.Load(Path.Combine(result.TargetDir, "config.json"));
        Assert.Equal("bfloat16", config.Root["torch_dtype"]!.GetValue<string>());
        Assert.Equal(File.ReadAllText(FixturePaths.Torch26("fsdp1-w2", "huggingface", "generation_config.json")), File.ReadAllText(Path.Combine(result.TargetDir, "generation_config.json")));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_dir.Path), p => Path.GetFileName(p).StartsWith('.'));
    }

    [Fact]
    public void A_small_max_shard_size_writes_an_index_like_save_pretrained()
    {
        var result = CheckpointMerger.Merge(FixturePaths.Torch26("fsdp1-w2"), new MergeOptions(_dir.Combine("sharded")) { MaxShardBytes = 2000 });
        var model = SafetensorsModel.Open(result.TargetDir);

        Assert.Contains(SafetensorsModel.IndexFileName, result.Files);
        Assert.Contains(result.Files, f => f.StartsWith("model-00001-of-", StringComparison.Ordinal));
        Assert.All(model.Files, f => Assert.True(new FileInfo(f.Path).Length - f.DataStart <= 2000 || f.Tensors.Count == 1));
        var index = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(result.TargetDir, SafetensorsModel.IndexFileName)));
        Assert.Equal(model.TotalBytes, index.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
        Assert.Equal(result.ContentHash, CheckpointMerger.Merge(FixturePaths.Torch26("fsdp1-w2"), new MergeOptions(_dir.Combine("single"))).ContentHash);
    }

    [Fact]
    public void Progress_is_reported_per_tensor_and_cancellation_leaves_nothing()
    {
        var phases = new List<MergeProgress>();
        var result = CheckpointMerger.Merge(FixturePaths.Torch26("fsdp1-w2"), new MergeOptions(_dir.Combine("progress")), new SynchronousProgress(phases.Add));
        Assert.Equal("done", phases[^1].Phase);
        Assert.Equal(result.TensorCount, phases.Count(p => p.Phase == "writing"));

        using var cancel = new CancellationTokenSource();
        var target = _dir.Combine("cancelled");
        Assert.ThrowsAny<OperationCanceledException>(() => CheckpointMerger.Merge(FixturePaths.Torch26("fsdp1-w2"), new MergeOptions(target),
            new SynchronousProgress(p => { if (p.TensorsDone == 3) { cancel.Cancel(); } }), cancel.Token));
        Assert.False(Directory.Exists(target));
        Assert.Equal(["progress"], Directory.EnumerateFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }

    public void Dispose() => _dir.Dispose();

    private sealed class SynchronousProgress(Action<MergeProgress> report) : IProgress<MergeProgress>
    {
        public void Report(MergeProgress value) => report(value);
    }
}
