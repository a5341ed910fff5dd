namespace VerlOrleans.Checkpoints.Tests.Megatron;

/// <summary>The Megatron dist_ckpt fixtures (tools/checkpoint-fixtures/generate_megatron.py, torch 2.6 dcp.save on 4 gloo ranks).</summary>
internal static class MegatronFixtures
{
    /// <summary>TP=2 x PP=2, bf16, untied, HEAD layout (actor/dist_ckpt, optimizer and RNG entries inside).</summary>
    public static string Tp2Pp2 => Path.Combine(FixturePaths.Root, "megatron", "tp2-pp2", "global_step_1", "actor");

    /// <summary>TP=2 x DP=2, float32, tied embeddings, layout v2 (actor/model/dist_ckpt, ckpt_contents.json).</summary>
    public static string Tp2Dp2Tied => Path.Combine(FixturePaths.Root, "megatron", "tp2-dp2-tied", "global_step_1", "actor");

    /// <summary>The tp2-pp2 model in the per-rank layout (mp_rank_TT_PPP/model_optim_rng.pt, local TP shards and layer numbers).</summary>
    public static string Tp2Pp2PerRank => Path.Combine(FixturePaths.Root, "megatron", "tp2-pp2-legacy", "global_step_1", "actor");

    public static string Expected(string name) => Path.Combine(FixturePaths.Root, "megatron", name + "-expected");

    public static string BadMetadata(string name) => Path.Combine(FixturePaths.Root, "megatron", "bad-metadata", name + ".metadata");
}
