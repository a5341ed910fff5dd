using VerlOrleans.Contracts.Models;

namespace VerlOrleans.Contracts.Runs;

/// <summary>What to evaluate: one checkpoint against dataset files with sampling and prompt settings.</summary>
[GenerateSerializer, Immutable]
public sealed record RunSpec
{
    /// <summary>Hugging Face folder or verl actor folder.</summary>
    [Id(0)] public required string Checkpoint { get; init; }
    /// <summary>verl parquet (or JSON/JSONL) files, concatenated in order.</summary>
    [Id(1)] public required IReadOnlyList<string> DataFiles { get; init; }
    [Id(2)] public int? MaxSamples { get; init; }
    [Id(3)] public bool Shuffle { get; init; }
    /// <summary>Seed for dataset shuffling (sampling has its own seed).</summary>
    [Id(4)] public long Seed { get; init; } = 42;
    [Id(5)] public SamplingSettings Sampling { get; init; } = new();
    [Id(6)] public PromptSettings Prompt { get; init; } = new();
    /// <summary>Prompts in flight to the model at once.</summary>
    [Id(7)] public int BatchSize { get; init; } = 64;
    /// <summary>Resident dtype: "auto", "bf16", "fp16", "fp32".</summary>
    [Id(8)] public string DType { get; init; } = "auto";
    /// <summary>"legacy" (verl ≤ 0.6 NaiveRewardManager) or "reward-loop" (adds acc).</summary>
    [Id(9)] public string RewardMode { get; init; } = "legacy";
    /// <summary>Data-source routes added to verl's defaults, as SOURCE=REWARD (a trailing * on SOURCE routes a prefix).</summary>
    [Id(10)] public IReadOnlyList<string> RewardRoutes { get; init; } = [];
    /// <summary>
    /// verl's <c>custom_reward_function.path</c>: an absolute path to a Python file (inside the data roots) whose
    /// function scores every sample instead of the routing. Null: verl's built-in rewards.
    /// </summary>
    [Id(11)] public string? RewardPath { get; init; }
    /// <summary>verl's <c>custom_reward_function.name</c> (null: <c>compute_score</c>); only with <see cref="RewardPath"/>.</summary>
    [Id(12)] public string? RewardName { get; init; }
    /// <summary>verl's <c>custom_reward_function.reward_kwargs</c> as a JSON object; only with <see cref="RewardPath"/>.</summary>
    [Id(13)] public string? RewardKwargsJson { get; init; }
    /// <summary>Set for a run that imports verl's samples instead of generating (its checkpoint is then the file's name).</summary>
    [Id(14)] public ImportSettings? Import { get; init; }
}
