namespace VerlOrleans.Contracts.Samples;

/// <summary>One page of a run's samples: filters, then the sort, then the page window.</summary>
[GenerateSerializer, Immutable]
public sealed record SampleQuery
{
    /// <summary>Largest page a run grain answers.</summary>
    public const int MaxCount = 200;

    [Id(0)] public int Offset { get; init; }
    [Id(1)] public int Count { get; init; } = 25;
    [Id(2)] public SampleSortKey SortBy { get; init; } = SampleSortKey.Position;
    [Id(3)] public bool Descending { get; init; }
    /// <summary>Only samples of this data source.</summary>
    [Id(4)] public string? DataSource { get; init; }
    [Id(5)] public SampleCorrectness Correctness { get; init; } = SampleCorrectness.All;
    /// <summary>Only samples that stopped this way ("stop", "length").</summary>
    [Id(6)] public string? FinishReason { get; init; }
    /// <summary>Case-insensitive text searched in the prompt, the response and the ground truth.</summary>
    [Id(7)] public string? Text { get; init; }
    [Id(8)] public double? MinScore { get; init; }
    [Id(9)] public double? MaxScore { get; init; }
}

/// <summary>What a sample page can be sorted by.</summary>
public enum SampleSortKey
{
    /// <summary>The prompt's position in the run (verl's order), then the sample index.</summary>
    Position,
    Score,
    DataSource,
    FinishReason,
    PromptTokens,
    ResponseTokens,
    GenerationSeconds,
}

/// <summary>Filter on whether a sample counts as correct (see <see cref="SampleRow.Correct"/>).</summary>
public enum SampleCorrectness
{
    All,
    Correct,
    Incorrect,
}
