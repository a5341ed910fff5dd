using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Synthetic;
using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests.Megatron;

/// <summary>The benchmark's two synthetic Megatron layouts hold the same model, so their merge timings compare like with like.</summary>
public sealed class SyntheticMegatronTests : IDisposable
{
    private readonly TempDirectory _dir = new("megatron-synthetic");

    [Fact]
    public void The_per_rank_and_dist_ckpt_synthetic_checkpoints_merge_into_the_same_model()
    {
        var shape = new DecoderShape(48, 16, 24, 2, 4, 2, TieWordEmbeddings: false);
        var distBytes = SyntheticMegatronCheckpoint.Write(_dir.Combine("dist"), shape, tp: 2);
        var perRankBytes = SyntheticMegatronPerRankCheckpoint.Write(_dir.Combine("per-rank"), shape, tp: 2);

        var dist = CheckpointMerger.Merge(_dir.Combine("dist"), new MergeOptions(_dir.Combine("dist-merged")) { DType = null });
        var perRank = CheckpointMerger.Merge(_dir.Combine("per-rank"), new MergeOptions(_dir.Combine("per-rank-merged")) { DType = null });

        Assert.Equal(distBytes + (2 * (16 + (2 * 2 * 16))), perRankBytes); // each TP rank keeps its own copy of the norms
        Assert.Equal(dist.ContentHash, perRank.ContentHash);
        Assert.Contains(perRank.Validation.Issues, i => i.Code == "megatron-per-rank" && i.Message.Contains("TP 2 x PP 1", StringComparison.Ordinal));
        Assert.Equal(CheckpointKind.MegatronDistCkpt, perRank.Validation.Kind);
    }

    public void Dispose() => _dir.Dispose();
}
