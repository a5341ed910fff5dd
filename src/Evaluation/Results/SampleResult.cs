using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Metrics;
using VerlOrleans.Evaluation.Rewards;

namespace VerlOrleans.Evaluation.Results;

/// <summary>
/// One generated response with everything needed to audit it and to recompute the run's metrics: which prompt
/// (uid, position) and which of its n samples, the texts, token counts and finish reason, the ground truth, the
/// score with its reward extras, the row's extra data, and timing.
/// </summary>
public sealed record SampleResult
{
    public required string Uid { get; init; }

    /// <summary>Which of the prompt's n responses this is (0-based).</summary>
    public required int SampleIndex { get; init; }

    /// <summary>The prompt's position in the run (verl's order); metrics are computed in (position, sample index) order.</summary>
    public required long Position { get; init; }

    public long DatasetIndex { get; init; }

    public string? SourceFile { get; init; }

    public long RowInFile { get; init; }

    /// <summary>The data source metrics group under ("unknown" when the row had none).</summary>
    public required string DataSource { get; init; }

    public string? Ability { get; init; }

    /// <summary>The prompt as sent to the model (after the chat template).</summary>
    public string PromptText { get; init; } = "";

    public required string ResponseText { get; init; }

    public int? PromptTokens { get; init; }

    public int? ResponseTokens { get; init; }

    /// <summary>Why generation stopped (e.g. "stop", "length").</summary>
    public string? FinishReason { get; init; }

    public JsonNode? GroundTruth { get; init; }

    public required double Score { get; init; }

    /// <summary>The extras the reward manager recorded (e.g. math_dapo's score/acc/pred), in order.</summary>
    public IReadOnlyList<KeyValuePair<string, ScalarValue>> RewardExtras { get; init; } = [];

    public JsonObject? ExtraInfo { get; init; }

    public JsonObject? ExtraColumns { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public double? GenerationSeconds { get; init; }

    public double? ScoringSeconds { get; init; }

    /// <summary>The sample as verl's validation metrics see it.</summary>
    public MetricSample ToMetricSample() => new(DataSource, Uid, new ScoredResponse(Score, RewardExtras).Variables.ToList());
}
