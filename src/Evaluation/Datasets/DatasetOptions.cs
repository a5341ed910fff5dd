namespace VerlOrleans.Evaluation.Datasets;

/// <summary>How to read verl datasets; defaults are verl's (<c>data.prompt_key</c>, <c>data.reward_fn_key</c>, …).</summary>
public sealed record DatasetOptions
{
    /// <summary>Column holding the chat messages (verl <c>data.prompt_key</c>).</summary>
    public string PromptKey { get; init; } = "prompt";

    /// <summary>Column routing the reward and grouping metrics (verl <c>data.reward_fn_key</c>).</summary>
    public string DataSourceKey { get; init; } = "data_source";

    /// <summary>Column holding <c>{style, ground_truth}</c>.</summary>
    public string RewardModelKey { get; init; } = "reward_model";

    /// <summary>Keep this many rows (≤ 0: all), like verl's <c>val_max_samples</c>.</summary>
    public long MaxSamples { get; init; } = -1;

    /// <summary>With <see cref="MaxSamples"/>: pick the rows at random (NumPy <c>default_rng(seed).choice</c>) instead of the first ones.</summary>
    public bool Shuffle { get; init; }

    /// <summary>Seed for <see cref="Shuffle"/>; null draws a fresh one (recorded in <see cref="VerlDataset.EffectiveSeed"/>).</summary>
    public ulong? Seed { get; init; }
}
