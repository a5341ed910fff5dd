using VerlOrleans.Checkpoints.Inspection;
using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.Validation;
using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests.Megatron;

/// <summary>
/// The older per-rank Megatron layout (<c>mp_rank_TT_PPP/model_optim_rng.pt</c>, torch 2.6 torch.save of
/// <c>{'model': local state dict}</c>): merged bit for bit into the weights the shards were cut from; missing ranks
/// and disagreeing TP shards refused before anything is written.
/// </summary>
public sealed class MegatronPerRankTests : IDisposable
{
    private readonly TempDirectory _dir = new("megatron-per-rank");

    [Fact]
    public void Merging_tp2_pp2_per_rank_files_reproduces_the_hugging_face_weights_bit_for_bit()
    {
        var reference = MegatronFixtures.Expected("tp2-pp2");
        var result = CheckpointMerger.Merge(MegatronFixtures.Tp2Pp2PerRank, new MergeOptions(_dir.Combine("out")) { DType = null, VerifyAgainst = reference });

        Assert.True(result.Verification!.Passed);
        Assert.Equal(SafetensorsModel.Open(reference).Tensors.Count, result.TensorCount);
        Assert.Equal(ModelContentHash.Compute(SafetensorsModel.Open(reference)), result.ContentHash);
        Assert.Equal(CheckpointKind.MegatronDistCkpt, result.Validation.Kind);
        Assert.Equal(4, result.Validation.WorldSize);
        Assert.Contains(result.Validation.Issues, i => i.Code == "megatron-per-rank"
            && i.Message.Contains("TP 2 x PP 2 (saved args agree; num_layers 4), layers per stage 2/2", StringComparison.Ordinal));
    }

    [Fact]
    public void Discovery_and_inspection_find_the_per_rank_layout_in_the_role_and_run_folders()
    {
        Assert.Equal(CheckpointKind.MegatronDistCkpt, CheckpointDiscovery.Discover(MegatronFixtures.Tp2Pp2PerRank).Kind);
        var run = CheckpointDiscovery.Discover(Path.GetDirectoryName(Path.GetDirectoryName(MegatronFixtures.Tp2Pp2PerRank))!);
        Assert.Equal(CheckpointKind.VerlRun, run.Kind);
        var found = Assert.Single(run.Checkpoints);
        Assert.Equal(CheckpointKind.MegatronDistCkpt, found.Kind);

        var model = ModelKinds.Describe(found);
        Assert.Equal("causal-lm", model.Kind);
        Assert.Contains("per-rank", model.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_rank_folder_is_named()
    {
        var actor = Copy();
        Directory.Delete(Path.Combine(actor, "mp_rank_01_001"), recursive: true);

        var error = RefusedWith(actor, "missing-rank");
        Assert.Contains("TP 1 PP 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("mp_rank_01_001", error.File, StringComparison.Ordinal);
    }

    [Fact]
    public void A_copy_without_its_last_pipeline_stage_is_named_by_the_sizes_its_args_were_saved_with()
    {
        var actor = Copy();
        Directory.Delete(Path.Combine(actor, "mp_rank_00_001"), recursive: true);
        Directory.Delete(Path.Combine(actor, "mp_rank_01_001"), recursive: true);

        // The folder names alone describe a complete TP 2 x PP 1 checkpoint; Megatron's saved args say otherwise.
        var error = RefusedWith(actor, "rank-mismatch");
        Assert.Contains("saved with tensor_model_parallel_size 2 x pipeline_model_parallel_size 2 (its args; 2 of 2 rank files say so)", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("but the rank folders hold TP 2 x PP 1: missing mp_rank_00_001, mp_rank_01_001", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("model_optim_rng.pt", error.File, StringComparison.Ordinal);
    }

    [Fact]
    public void TP_shards_of_different_shapes_are_named()
    {
        var actor = Copy();
        var file = Path.Combine(actor, "mp_rank_01_000", "model_optim_rng.pt");
        var original = file + ".orig";
        File.Move(file, original);
        // linear_proj's local shard is [16, 8] on both TP ranks (the only such shape on stage 0): make rank 1's [8, 8].
        TorchZipRewriter.RewritePickle(original, file, TorchZipRewriter.Replace(Bytes(0x4b, 0x10, 0x4b, 0x08, 0x86), Bytes(0x4b, 0x08, 0x4b, 0x08, 0x86)));
        File.Delete(original);

        var error = RefusedWith(actor, "tp-shard-mismatch");
        Assert.Equal("decoder.layers.0.self_attention.linear_proj.weight", error.Key);
        Assert.Contains("rank 1 holds BF16[8, 8]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rank_folder_from_another_stage_is_named()
    {
        var actor = Copy();
        File.Copy(Path.Combine(actor, "mp_rank_00_001", "model_optim_rng.pt"), Path.Combine(actor, "mp_rank_01_000", "model_optim_rng.pt"), overwrite: true);

        RefusedWith(actor, "rank-key-mismatch");
    }

    public void Dispose() => _dir.Dispose();

    private static byte[] Bytes(params byte[] values) => values;

    private string Copy() => FixturePaths.CopyFolder(MegatronFixtures.Tp2Pp2PerRank, _dir.Combine("actor-" + Guid.NewGuid().ToString("N")[..8]));

    private ValidationIssue RefusedWith(string actor, string code) => MegatronRefusals.RefusedWith(actor, code, _dir.Path);
}
