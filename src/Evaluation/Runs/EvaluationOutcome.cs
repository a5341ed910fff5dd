namespace VerlOrleans.Evaluation.Runs;

/// <summary>A finished evaluation: its verl-named metrics, what became of the prompts, and where the files are.</summary>
public sealed record EvaluationOutcome(
    string OutputFolder,
    IReadOnlyList<KeyValuePair<string, double>> Metrics,
    PromptCounts Prompts,
    long SamplesTotal,
    long SamplesGenerated,
    long SamplesResumed,
    long GeneratedTokens,
    TimeSpan Elapsed);

/// <summary>Rows selected, and how many of them were filtered out or truncated.</summary>
public sealed record PromptCounts(long Selected, long Filtered, long Truncated)
{
    public long Kept => Selected - Filtered;
}
