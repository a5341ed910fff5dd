namespace VerlOrleans.Evaluation.Results.Index;

/// <summary>
/// What a results index keeps of one sample in memory: identity, score, counts and short previews, and where
/// its line is in <c>results.jsonl</c> (the full texts are read from there on demand).
/// </summary>
public sealed record IndexedSample
{
    public required string Uid { get; init; }
    public required int SampleIndex { get; init; }
    public required long Position { get; init; }
    public required string DataSource { get; init; }
    public required double Score { get; init; }

    /// <summary>The reward's <c>acc</c> when it records one (math_dapo, reward-loop mode), otherwise score &gt; 0.</summary>
    public required bool Correct { get; init; }

    /// <summary>The reward's extracted answer (<c>pred</c>), when it records one.</summary>
    public string? Pred { get; init; }

    public string? FinishReason { get; init; }
    public int? PromptTokens { get; init; }
    public int? ResponseTokens { get; init; }
    public double? GenerationSeconds { get; init; }
    public required string ResponsePreview { get; init; }
    public required string GroundTruthPreview { get; init; }

    /// <summary>Byte offset of the line in the file.</summary>
    public required long Offset { get; init; }

    /// <summary>Byte length of the line, without its newline.</summary>
    public required int Length { get; init; }
}
