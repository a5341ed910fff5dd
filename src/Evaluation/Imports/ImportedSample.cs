using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Imports;

/// <summary>
/// One response read from verl's output, before scoring: which prompt it answers (a uid stable across the steps of one
/// training run), the texts, the ground truth, and what verl stored for it (its score and reward extras, when it did).
/// </summary>
public sealed record ImportedSample
{
    /// <summary>Where in the file: "line N" (validation dump) or "row N" (generation output).</summary>
    public required string Where { get; init; }

    public required string Uid { get; init; }

    /// <summary>The prompt's order in the file (0-based).</summary>
    public required long Position { get; init; }

    public required int SampleIndex { get; init; }

    /// <summary>The data source the file names for it; null when it names none (a validation dump never does).</summary>
    public string? DataSource { get; init; }

    public required string PromptText { get; init; }

    public required string ResponseText { get; init; }

    public JsonNode? GroundTruth { get; init; }

    /// <summary>verl's score, when the file holds one.</summary>
    public double? StoredScore { get; init; }

    /// <summary>verl's reward extras as stored (its <c>reward</c> copy of the score left out), in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, ScalarValue>> StoredExtras { get; init; } = [];

    public JsonObject? ExtraInfo { get; init; }

    public JsonObject? ExtraColumns { get; init; }

    public string? Ability { get; init; }
}
