namespace VerlOrleans.Evaluation.Rewards;

/// <summary>A response's score and the reward extras a verl reward manager records for it.</summary>
public sealed record ScoredResponse(double Score, IReadOnlyList<KeyValuePair<string, ScalarValue>> Extras)
{
    /// <summary>
    /// Why the reward could not score this response (a custom reward raised, hung or crashed its worker); the score is
    /// then 0 and there are no extras. Null when it scored. verl would stop the whole validation instead.
    /// </summary>
    public string? Error { get; init; }

    /// <summary>The reward's <see cref="RewardResult.Detail"/>: why it scored as it did (not a metric).</summary>
    public string? Detail { get; init; }

    /// <summary>
    /// The metric variables of this sample: <c>reward</c> followed by every extra. verl reads <c>reward</c> back from
    /// its float32 reward tensor, so it is the score rounded to float32 (exact for ±1 and 0), while extras keep the
    /// scorer's float64 values.
    /// </summary>
    public IEnumerable<KeyValuePair<string, ScalarValue>> Variables =>
        Extras.Prepend(new("reward", ScalarValue.FromNumber((float)Score)));
}
