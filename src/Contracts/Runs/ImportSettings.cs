namespace VerlOrleans.Contracts.Runs;

/// <summary>
/// A run whose samples come from a file verl wrote instead of being generated: a validation dump
/// (<c>&lt;global_step&gt;.jsonl</c>) or a generation parquet with a <c>responses</c> column.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ImportSettings
{
    /// <summary>The file (a run), or a validation-dump folder (a sweep: one run per step).</summary>
    [Id(0)] public required string Path { get; init; }

    /// <summary>The samples' data source (a validation dump names none); null: the file's own, else "unknown".</summary>
    [Id(1)] public string? DataSource { get; init; }

    /// <summary>Keep verl's stored scores even where a reward routes the data source.</summary>
    [Id(2)] public bool KeepStoredScores { get; init; }
}
