using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Datasets;
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

    /// <summary>
    /// Why the reward could not score this sample (a custom Python reward raised, hung or crashed its worker): the
    /// score is then 0 and the metrics count it with 0 for every variable the source's other samples have. Null when
    /// it scored.
    /// </summary>
    public string? RewardError { get; init; }

    public JsonObject? ExtraInfo { get; init; }

    public JsonObject? ExtraColumns { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public double? GenerationSeconds { get; init; }

    public double? ScoringSeconds { get; init; }

    /// <summary>
    /// The result for response <paramref name="sampleIndex"/> to <paramref name="row"/>, carrying the row's identity,
    /// ground truth and extra data along with the response and its score (what an evaluation loop appends).
    /// </summary>
    public static SampleResult For(DatasetRow row, int sampleIndex, string promptText, string responseText, ScoredResponse scored) => new()
    {
        Uid = row.Uid,
        SampleIndex = sampleIndex,
        Position = row.Position,
        DatasetIndex = row.DatasetIndex,
        SourceFile = row.SourceFile,
        RowInFile = row.RowInFile,
        DataSource = row.MetricsDataSource,
        Ability = row.Ability,
        PromptText = promptText,
        ResponseText = responseText,
        GroundTruth = row.GroundTruth?.DeepClone(),
        Score = scored.Score,
        RewardExtras = scored.Extras,
        RewardError = scored.Error,
        ExtraInfo = (JsonObject)row.ExtraInfo.DeepClone(),
        ExtraColumns = (JsonObject)row.ExtraColumns.DeepClone(),
    };

    /// <summary>The sample as verl's validation metrics see it.</summary>
    public MetricSample ToMetricSample() => new(DataSource, Uid, new ScoredResponse(Score, RewardExtras).Variables.ToList());
}
