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

    /// <summary>verl's Megatron critic: TP=2 x PP=2, bf16, HEAD layout under critic/, output_layer [1, 16] (the value head).</summary>
    public static string Critic => Path.Combine(FixturePaths.Root, "megatron", "critic-tp2-pp2", "global_step_1", "critic");

    /// <summary>A critic folder whose output_layer has 2 rows (1 rank, 1 layer): neither a value head nor the vocabulary.</summary>
    public static string TwoRowHeadCritic => Path.Combine(FixturePaths.Root, "megatron", "bad-critic", "two-row-head", "global_step_1", "critic");

    public static string Expected(string name) => Path.Combine(FixturePaths.Root, "megatron", name + "-expected");

    public static string BadMetadata(string name) => Path.Combine(FixturePaths.Root, "megatron", "bad-metadata", name + ".metadata");
}
