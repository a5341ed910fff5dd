namespace VerlOrleans.Contracts.Runs;

/// <summary>How far a run has got, with running scores per data source.</summary>
[GenerateSerializer, Immutable]
public sealed record RunProgress
{
    public static RunProgress None { get; } = new();

    [Id(0)] public int SamplesDone { get; init; }
    [Id(1)] public int SamplesTotal { get; init; }
    [Id(2)] public int PromptsFiltered { get; init; }
    [Id(3)] public int PromptsTruncated { get; init; }
    [Id(4)] public long GeneratedTokens { get; init; }
    [Id(5)] public double TokensPerSecond { get; init; }
    [Id(6)] public TimeSpan? Eta { get; init; }
    /// <summary>Mean score so far per data source.</summary>
    [Id(7)] public IReadOnlyDictionary<string, double> MeanScores { get; init; } = new Dictionary<string, double>();

    public double Fraction => SamplesTotal == 0 ? 0 : (double)SamplesDone / SamplesTotal;
}
