using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Megatron;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.Validation;
using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests.Megatron;

/// <summary>
/// Megatron dist_ckpt folders real torch.distributed.checkpoint wrote merge into exactly the Hugging Face weights the
/// chunks were cut from (fused QKV split per query group, GLU halves, TP chunks, PP layer chunks), bit for bit.
/// </summary>
public sealed class MegatronMergeTests : IDisposable
{
    private readonly TempDirectory _dir = new("megatron");

    public static TheoryData<string, string> Checkpoints() => new()
    {
        { "tp2-pp2", MegatronFixtures.Tp2Pp2 },
        { "tp2-dp2-tied", MegatronFixtures.Tp2Dp2Tied },
    };

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void Merging_in_the_source_dtype_reproduces_the_hugging_face_weights_bit_for_bit(string name, string actor)
    {
        var reference = MegatronFixtures.Expected(name);
        var result = CheckpointMerger.Merge(actor, new MergeOptions(_dir.Combine("out")) { DType = null, VerifyAgainst = reference });

        Assert.True(result.Verification!.Passed);
        Assert.Equal(SafetensorsModel.Open(reference).Tensors.Count, result.TensorCount);
        Assert.Equal(ModelContentHash.Compute(SafetensorsModel.Open(reference)), result.ContentHash);
        Assert.Equal(CheckpointKind.MegatronDistCkpt, result.Validation.Kind);
    }

    [Fact]
    public void The_tied_checkpoint_has_no_head_and_the_untied_one_keeps_output_layer_as_lm_head()
    {
        var tied = SafetensorsModel.Open(CheckpointMerger.Merge(MegatronFixtures.Tp2Dp2Tied, new MergeOptions(_dir.Combine("tied"))).TargetDir);
        var untied = SafetensorsModel.Open(CheckpointMerger.Merge(MegatronFixtures.Tp2Pp2, new MergeOptions(_dir.Combine("untied"))).TargetDir);

        Assert.DoesNotContain("lm_head.weight", tied.Tensors.Keys);
        Assert.Equal([48L, 16L], untied.Tensors["lm_head.weight"].Shape);
        Assert.Equal([8L, 16L], untied.Tensors["model.layers.3.self_attn.k_proj.weight"].Shape);
        Assert.Equal([8L], untied.Tensors["model.layers.3.self_attn.v_proj.bias"].Shape);
        Assert.All(untied.Tensors.Values, t => Assert.Equal(TensorDType.BF16, t.DType));
    }

    [Fact]
    public void Discovery_finds_head_and_v2_layouts_from_the_role_model_and_dist_ckpt_folders_and_in_run_folders()
    {
        foreach (var path in new[]
                 {
                     MegatronFixtures.Tp2Pp2, Path.Combine(MegatronFixtures.Tp2Pp2, "dist_ckpt"),
                     MegatronFixtures.Tp2Dp2Tied, Path.Combine(MegatronFixtures.Tp2Dp2Tied, "model"), Path.Combine(MegatronFixtures.Tp2Dp2Tied, "model", "dist_ckpt"),
                 })
        {
            var found = CheckpointDiscovery.Discover(path);
            Assert.Equal(CheckpointKind.MegatronDistCkpt, found.Kind);
            var checkpoint = Assert.Single(found.Checkpoints);
            Assert.Equal(1, checkpoint.Step);
            Assert.Equal("actor", checkpoint.Role);
        }

        var run = CheckpointDiscovery.Discover(Path.Combine(FixturePaths.Root, "megatron", "tp2-dp2-tied"));
        Assert.Equal(CheckpointKind.VerlRun, run.Kind);
        var step = Assert.Single(run.Checkpoints);
        Assert.Equal(CheckpointKind.MegatronDistCkpt, step.Kind);
        Assert.True(step.IsLatest);
        Assert.Equal("model/dist_ckpt", MegatronCheckpointFolder.Find(step.Path)!.Layout);
    }

    [Fact]
    public void The_metadata_reader_sees_layer_axes_chunks_storage_and_byte_entries()
    {
        var metadata = DcpMetadataReader.Read(Path.Combine(MegatronFixtures.Tp2Pp2, "dist_ckpt"));

        var qkv = metadata.Tensors.Single(t => t.Key == "decoder.layers.self_attention.linear_qkv.weight");
        Assert.Equal([4L, 32L, 16L], qkv.Size);
        Assert.Equal(TensorDType.BF16, qkv.DType);
        Assert.Equal(8, qkv.Chunks.Count); // 4 layers x 2 TP ranks; the two PP stages wrote disjoint layers
        Assert.All(qkv.Chunks, c => Assert.Matches(@"^__\d_\d\.distcp$", c.Storage!.RelativePath));
        var fc1 = metadata.Tensors.Single(t => t.Key == "decoder.layers.mlp.linear_fc1.weight");
        Assert.Equal(16, fc1.Chunks.Count); // GLU: gate and up halves per TP rank
        Assert.Contains(metadata.ByteEntries, k => k.StartsWith("decoder.layers.self_attention.linear_qkv._extra_state/shard_", StringComparison.Ordinal));
        Assert.Contains(metadata.Tensors, t => t.Key.StartsWith("optimizer.", StringComparison.Ordinal));
        Assert.Contains(metadata.ByteEntries, k => k.StartsWith("rng_state", StringComparison.Ordinal));
    }

    [Fact]
    public void Validation_reports_the_kind_and_what_is_left_out()
    {
        var report = CheckpointValidator.Validate(MegatronFixtures.Tp2Pp2);

        Assert.True(report.IsValid, string.Join("; ", report.Issues));
        Assert.Equal(CheckpointKind.MegatronDistCkpt, report.Kind);
        Assert.Equal(51, report.Tensors.Count);
        Assert.Contains(report.Issues, i => i.Code == "megatron-dist-ckpt" && i.Message.Contains("not merged", StringComparison.Ordinal));
    }

    public void Dispose() => _dir.Dispose();
}
