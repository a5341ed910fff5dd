namespace VerlOrleans.Evaluation.Runs;

/// <summary>Where an evaluation is.</summary>
public enum EvaluationPhase
{
    /// <summary>Reading the dataset and building every prompt (counts, totals, errors before any generation).</summary>
    Planning,

    Generating,

    /// <summary>Writing metrics.json.</summary>
    Completing,

    Completed,
}

/// <summary>
/// A snapshot of an evaluation, reported after every sample (the receiver throttles). Samples count (prompt,
/// sample index) pairs of the prompts kept; <see cref="SamplesResumed"/> of them were already in the folder.
/// Tokens and rates are this session's; mean scores cover every sample in the folder so far.
/// </summary>
public sealed record EvaluationProgress
{
    public EvaluationPhase Phase { get; init; }

    /// <summary>Rows selected from the dataset.</summary>
    public long PromptsTotal { get; init; }

    public long PromptsFiltered { get; init; }

    public long PromptsTruncated { get; init; }

    public long SamplesTotal { get; init; }

    public long SamplesDone { get; init; }

    public long SamplesResumed { get; init; }

    public long GeneratedTokens { get; init; }

    public double TokensPerSecond { get; init; }

    /// <summary>Estimated time to finish, from this session's sample rate; null until a sample has finished.</summary>
    public TimeSpan? Eta { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>Mean score so far per data source.</summary>
    public IReadOnlyDictionary<string, double> MeanScores { get; init; } = new Dictionary<string, double>();

    /// <summary>Mean score over every sample so far, or null before the first.</summary>
    public double? MeanScore { get; init; }
}
