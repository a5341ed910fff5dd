using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Lora;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.Validation;
using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests.Lora;

/// <summary>
/// LoRA weights merged into their base reproduce, bit for bit, what PyTorch computed with PEFT's arithmetic
/// (W + scale·B·A in float32, then the same dtype cast), for PEFT adapters (plain, rsLoRA with rank/alpha patterns,
/// fan_in_fan_out over nn.Linear and over Conv1D) and for verl's PEFT-wrapped FSDP shards (W=1 plain tensors,
/// W=2 ShardedTensors).
/// </summary>
public sealed class LoraMergeTests : IDisposable
{
    private readonly TempDirectory _dir = new("lora-merge");

    public static TheoryData<string> Adapters() => new("adapter", "adapter-rslora", "adapter-fan-in-fan-out");

    public static TheoryData<string> ShardSets() => new("fsdp-w1", "fsdp-w2");

    [Theory]
    [MemberData(nameof(Adapters))]
    public void An_adapter_over_its_base_merges_to_pytorchs_weights_in_f32_and_bf16(string adapter)
    {
        var options = new LoraOptions(LoraFixtures.Base);

        var f32 = CheckpointMerger.Merge(LoraFixtures.Lora(adapter), new MergeOptions(_dir.Combine("f32")) { DType = null, Lora = options });
        var bf16 = CheckpointMerger.Merge(LoraFixtures.Lora(adapter), new MergeOptions(_dir.Combine("bf16")) { Lora = options });

        Assert.Equal(LoraFixtures.Hash(LoraFixtures.Lora(adapter + "-expected", "f32")), f32.ContentHash);
        Assert.Equal(LoraFixtures.Hash(LoraFixtures.Lora(adapter + "-expected", "bf16")), bf16.ContentHash);
        Assert.Equal(CheckpointKind.LoraAdapter, f32.Validation.Kind);
        Assert.Contains(f32.Validation.Issues, i => i.Code == "lora");
        Assert.Contains(f32.Validation.Tensors, t => t.Layout.Contains("+ LoRA r", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ShardSets))]
    public void Peft_wrapped_fsdp_shards_merge_to_pytorchs_weights_in_f32_and_bf16(string actor)
    {
        var f32 = CheckpointMerger.Merge(LoraFixtures.Lora(actor), new MergeOptions(_dir.Combine("f32")) { DType = null, VerifyAgainst = LoraFixtures.Lora(actor + "-expected", "f32") });
        var bf16 = CheckpointMerger.Merge(LoraFixtures.Lora(actor), new MergeOptions(_dir.Combine("bf16")));

        Assert.True(f32.Verification!.Passed);
        Assert.Equal(LoraFixtures.Hash(LoraFixtures.Lora(actor + "-expected", "f32")), f32.ContentHash);
        Assert.Equal(LoraFixtures.Hash(LoraFixtures.Lora(actor + "-expected", "bf16")), bf16.ContentHash);
        Assert.Equal(CheckpointKind.VerlShardSet, f32.Validation.Kind);
        var model = SafetensorsModel.Open(f32.TargetDir);
        Assert.Contains("model.layers.0.self_attn.q_proj.weight", model.Tensors.Keys);
        Assert.Contains("model.layers.0.self_attn.q_proj.bias", model.Tensors.Keys);
        Assert.DoesNotContain(model.Tensors.Keys, k => k.Contains("lora_", StringComparison.Ordinal) || k.Contains("base_layer", StringComparison.Ordinal) || k.StartsWith("base_model", StringComparison.Ordinal));
    }

    [Fact]
    public void Alpha_comes_from_lora_train_meta_at_w1_and_from_the_legacy_workers_adapter_config_at_w2()
    {
        var w1 = CheckpointValidator.Validate(LoraFixtures.Lora("fsdp-w1"));
        var w2 = CheckpointValidator.Validate(LoraFixtures.Lora("fsdp-w2"));

        Assert.True(w1.IsValid, string.Join("\n", w1.Issues));
        Assert.Contains(LoraTrainMeta.FileName, w1.Issues.Single(i => i.Code == "lora").Message, StringComparison.Ordinal);
        Assert.Contains("lora_adapter", w2.Issues.Single(i => i.Code == "lora").Message, StringComparison.Ordinal);
        Assert.Contains(w2.Tensors, t => t.Layout.StartsWith("ShardedTensor", StringComparison.Ordinal) && t.Layout.Contains("+ LoRA r 4 x 2", StringComparison.Ordinal));
    }

    [Fact]
    public void Fan_in_fan_out_over_nn_linear_is_reset_like_peft_and_over_conv1d_it_transposes_the_update()
    {
        var linear = CheckpointValidator.Validate(LoraFixtures.Lora("adapter-fan-in-fan-out"), new ValidationOptions { Lora = new LoraOptions(LoraFixtures.Base) });
        Assert.Contains("PEFT sets it to False", linear.Issues.Single(i => i.Code == "lora-fan-in-fan-out").Message, StringComparison.Ordinal);

        var conv1D = CheckpointMerger.Merge(LoraFixtures.Lora("gpt2-adapter"), new MergeOptions(_dir.Combine("gpt2")) { DType = null, Lora = new LoraOptions(LoraFixtures.Lora("gpt2-base")) });

        Assert.Equal(LoraFixtures.Hash(LoraFixtures.Lora("gpt2-adapter-expected", "f32")), conv1D.ContentHash);
        Assert.Contains(conv1D.Validation.Tensors, t => t.Name == "transformer.h.0.attn.c_attn.weight" && t.Layout.Contains("transposed", StringComparison.Ordinal));
        Assert.DoesNotContain(conv1D.Validation.Issues, i => i.Code == "lora-fan-in-fan-out");
    }

    [Fact]
    public void Rslora_scales_by_alpha_over_the_square_root_of_each_modules_rank_with_the_patterns_applied()
    {
        var report = CheckpointValidator.Validate(LoraFixtures.Lora("adapter-rslora"), new ValidationOptions { Lora = new LoraOptions(LoraFixtures.Base) });
        var layouts = report.Tensors.ToDictionary(t => t.Name, t => t.Layout);

        Assert.EndsWith($"LoRA r 8 x {(float)(32 / Math.Sqrt(8)):R}", layouts["model.layers.0.self_attn.q_proj.weight"], StringComparison.Ordinal);  // alpha_pattern q_proj: 32
        Assert.EndsWith($"LoRA r 8 x {(float)(16 / Math.Sqrt(8)):R}", layouts["model.layers.0.self_attn.v_proj.weight"], StringComparison.Ordinal);
        Assert.EndsWith($"LoRA r 2 x {(float)(16 / Math.Sqrt(2)):R}", layouts["model.layers.1.self_attn.v_proj.weight"], StringComparison.Ordinal);  // rank_pattern
        Assert.Equal("safetensors", report.Tensors.Single(t => t.Name == "model.layers.0.self_attn.k_proj.weight").Layout.Split(' ')[^1]);
    }

    [Fact]
    public void The_base_is_found_from_base_model_name_or_path_locally_or_in_the_hub_cache_or_from_the_actors_huggingface_weights()
    {
        var expected = LoraFixtures.Hash(LoraFixtures.Lora("adapter-expected", "f32"));

        var local = FixturePaths.CopyFolder(LoraFixtures.Lora("adapter"), _dir.Combine("local-adapter"));
        LoraFixtures.EditJson(Path.Combine(local, LoraAdapterConfig.FileName), c => c["base_model_name_or_path"] = LoraFixtures.Base);
        Assert.Equal(expected, CheckpointMerger.Merge(local, new MergeOptions(_dir.Combine("out-local")) { DType = null }).ContentHash);

        var cache = _dir.Combine("hub");
        var snapshot = Path.Combine(cache, "models--verlorleans--tiny-qwen2-base", "snapshots", "0123abcd");
        FixturePaths.CopyFolder(LoraFixtures.Base, snapshot);
        Directory.CreateDirectory(Path.Combine(cache, "models--verlorleans--tiny-qwen2-base", "refs"));
        File.WriteAllText(Path.Combine(cache, "models--verlorleans--tiny-qwen2-base", "refs", "main"), "0123abcd");
        var fromCache = CheckpointMerger.Merge(LoraFixtures.Lora("adapter"), new MergeOptions(_dir.Combine("out-cache")) { DType = null, Lora = new LoraOptions { HubCache = cache } });
        Assert.Equal(expected, fromCache.ContentHash);
        Assert.Contains("Hugging Face cache", fromCache.Validation.Issues.Single(i => i.Code == "lora-base").Message, StringComparison.Ordinal);

        // A verl actor folder of the legacy worker without shards: lora_adapter/ plus huggingface/ (saved with hf_model).
        var actor = _dir.Combine("run", "global_step_5", "actor");
        FixturePaths.CopyFolder(LoraFixtures.Lora("adapter"), Path.Combine(actor, "lora_adapter"));
        FixturePaths.CopyFolder(LoraFixtures.Base, Path.Combine(actor, "huggingface"));
        var found = CheckpointDiscovery.Discover(_dir.Combine("run"));
        Assert.Equal(new DiscoveredCheckpoint(CheckpointKind.LoraAdapter, actor, 5, "actor", false), Assert.Single(found.Checkpoints));
        var fromActor = CheckpointMerger.Merge(actor, new MergeOptions(_dir.Combine("out-actor")) { DType = null, Lora = new LoraOptions { HubCache = _dir.Combine("empty-hub") } });
        Assert.Equal(expected, fromActor.ContentHash);
        Assert.Contains("huggingface/", fromActor.Validation.Issues.Single(i => i.Code == "lora-base").Message, StringComparison.Ordinal);
        Assert.Equal(["config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"], fromActor.Files);
    }

    [Fact]
    public void Save_lora_only_shards_merge_over_the_base_given_with_lora_base()
    {
        var actor = LoraFixtures.Lora("fsdp-w1-lora-only");
        var missing = Assert.Throws<CheckpointMergeException>(() => CheckpointMerger.Merge(actor, new MergeOptions(_dir.Combine("no-base"))));
        Assert.Contains("no weights", Assert.Single(missing.Validation!.Errors, i => i.Code == "lora-base-missing").Message, StringComparison.Ordinal);

        var merged = CheckpointMerger.Merge(actor, new MergeOptions(_dir.Combine("out")) { DType = null, Lora = new LoraOptions(LoraFixtures.Lora("fsdp-base")) });

        Assert.Equal(LoraFixtures.Hash(LoraFixtures.Lora("fsdp-w1-expected", "f32")), merged.ContentHash);
        Assert.Contains("save_lora_only", merged.Validation.Issues.Single(i => i.Code == "lora-base").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_alpha_fixes_verls_alpha_0_adapter_config()
    {
        var adapter = FixturePaths.CopyFolder(LoraFixtures.Lora("adapter"), _dir.Combine("alpha0"));
        LoraFixtures.EditJson(Path.Combine(adapter, LoraAdapterConfig.FileName), c => c["lora_alpha"] = 0);

        var result = CheckpointMerger.Merge(adapter, new MergeOptions(_dir.Combine("out")) { DType = null, Lora = new LoraOptions(LoraFixtures.Base, 8) });

        Assert.Equal(LoraFixtures.Hash(LoraFixtures.Lora("adapter-expected", "f32")), result.ContentHash);
        Assert.Contains(result.Validation.Issues, i => i.Code == "lora-alpha-overridden");
    }

    [Fact]
    public void A_large_update_streams_through_several_blocks_and_threads_exactly_as_the_row_by_row_sum()
    {
        // 700 x 2050 f32 is 5.7 MB: two blocks of the 4 MB reader, each big enough for the parallel path; 2050 columns
        // go through the vector loop and its scalar tail.
        const int rows = 700, cols = 2050, rank = 8;
        var random = new Random(5);
        float[] Fill(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var (w, a, b) = (Fill(rows * cols), Fill(rank * cols), Fill(rows * rank));
        var folder = Directory.CreateDirectory(_dir.Combine("big")).FullName;
        WriteF32(Path.Combine(folder, "w.safetensors"), "w", [rows, cols], w);
        WriteF32(Path.Combine(folder, "a.safetensors"), "a", [rank, cols], a);
        WriteF32(Path.Combine(folder, "b.safetensors"), "b", [rows, rank], b);
        PlannedTensor Open(string name) => new SafetensorsTensor(name, SafetensorsFile.Open(Path.Combine(folder, name + ".safetensors")).Tensors[name]);
        var merged = new LoraMergedTensor("w", Open("w"), Open("a"), Open("b"), 0.75f, transpose: false);

        using var handles = new FileHandleCache();
        var reader = merged.Open(handles);
        var bytes = new byte[merged.ByteLength];
        for (int n, done = 0; (n = reader.Read(bytes.AsSpan(done, Math.Min(1 << 20, bytes.Length - done)))) > 0;)
        {
            done += n;
        }

        var actual = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        for (var o = 0; o < rows; o++)
        {
            for (var i = 0; i < cols; i++)
            {
                var sum = 0f;
                for (var k = 0; k < rank; k++)
                {
                    sum += b[(o * rank) + k] * a[(k * cols) + i];
                }

                var expected = w[(o * cols) + i] + (sum * 0.75f);
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual[(o * cols) + i]), $"element [{o}, {i}]: {actual[(o * cols) + i]:R}, expected {expected:R}");
            }
        }

        Assert.Equal(0, reader.Remaining);
    }

    public void Dispose() => _dir.Dispose();

    private static void WriteF32(string path, string name, long[] shape, float[] values)
    {
        using var writer = SafetensorsWriter.Create(path, [new SafetensorsEntry(name, TensorDType.F32, shape)]);
        writer.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        writer.Complete();
    }
}
