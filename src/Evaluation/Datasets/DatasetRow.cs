using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Datasets;

/// <summary>
/// One prompt of a verl dataset. Everything is kept as read (JSON for the nested parts) so prompt building,
/// rewards and result files can use it unchanged.
/// </summary>
public sealed record DatasetRow
{
    /// <summary>Order of this row in the run (0-based, after selection): verl's dataframe order.</summary>
    public required long Position { get; init; }

    /// <summary>Index in the concatenation of all input files, before selection.</summary>
    public required long DatasetIndex { get; init; }

    public required string SourceFile { get; init; }

    /// <summary>0-based row within <see cref="SourceFile"/>.</summary>
    public required long RowInFile { get; init; }

    /// <summary>
    /// Stable id of the prompt: the row's own <c>uid</c> column when it has one, else the first 16 hex digits of the
    /// file's SHA-256 and the row number, so the same row keeps its uid across runs (which resume relies on).
    /// </summary>
    public required string Uid { get; init; }

    /// <summary>The chat messages, exactly as stored (a JSON array of <c>{role, content, …}</c>).</summary>
    public required JsonArray Prompt { get; init; }

    /// <summary><c>data_source</c>; null when the column is absent or null (verl then uses "unknown").</summary>
    public string? DataSource { get; init; }

    public string? Ability { get; init; }

    /// <summary><c>reward_model.style</c> (e.g. "rule").</summary>
    public string? RewardStyle { get; init; }

    /// <summary><c>reward_model.ground_truth</c> as stored (usually a string).</summary>
    public JsonNode? GroundTruth { get; init; }

    /// <summary><c>extra_info</c>; an empty object when absent or null (as verl passes it to scorers).</summary>
    public required JsonObject ExtraInfo { get; init; }

    /// <summary>Every other column, kept so results can carry it (e.g. MATH's <c>level</c> and <c>type</c>).</summary>
    public required JsonObject ExtraColumns { get; init; }

    /// <summary>The data source metrics group this row under (verl's fallback is "unknown").</summary>
    public string MetricsDataSource => DataSource ?? "unknown";
}
