using VerlOrleans.Evaluation.Rewards;

namespace VerlOrleans.Evaluation.Imports;

/// <summary>How imported samples are scored.</summary>
public sealed record ImportOptions
{
    /// <summary>
    /// The data source of every sample (a validation dump names none; verl knew it from the dataset). Null: the file's
    /// own (a generation output's <c>data_source</c> column), else "unknown".
    /// </summary>
    public string? DataSource { get; init; }

    /// <summary>Keep the score verl stored even where a reward routes (a dump scored by the user's own reward function).</summary>
    public bool KeepStoredScores { get; init; }

    public RewardMode RewardMode { get; init; } = RewardMode.Naive;

    /// <summary>Routes added to verl's defaults.</summary>
    public RewardRoutingOptions? RewardRoutes { get; init; }
}
