namespace VerlOrleans.Evaluation.Results.Index;

/// <summary>Filters, sort and page window over a results index.</summary>
public sealed record ResultsQuery
{
    public int Offset { get; init; }
    public int Count { get; init; } = 25;
    public ResultsSortKey SortBy { get; init; } = ResultsSortKey.Position;
    public bool Descending { get; init; }
    public string? DataSource { get; init; }

    /// <summary>Only correct (true) or only incorrect (false) samples; null: both.</summary>
    public bool? Correct { get; init; }

    public string? FinishReason { get; init; }

    /// <summary>Case-insensitive substring of the prompt, the response or the ground truth.</summary>
    public string? Text { get; init; }

    public double? MinScore { get; init; }
    public double? MaxScore { get; init; }
}

/// <summary>Sort keys; ties are broken by (position, sample index), so pages never overlap.</summary>
public enum ResultsSortKey
{
    Position,
    Score,
    DataSource,
    FinishReason,
    PromptTokens,
    ResponseTokens,
    GenerationSeconds,
}

/// <summary>One page and the number of samples matching the filters over all pages.</summary>
public sealed record ResultsQueryPage(IReadOnlyList<IndexedSample> Rows, int Matching);
