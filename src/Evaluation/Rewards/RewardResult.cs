namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// A score and, for scorers that return a dict in verl (math_dapo, many custom reward files), the other keys of that
/// dict in order (e.g. <c>acc</c>, <c>pred</c>). The dict's own <c>score</c> key is <see cref="Score"/> and is not
/// repeated here.
/// </summary>
public sealed record RewardResult(double Score, IReadOnlyList<KeyValuePair<string, ScalarValue>> Extras)
{
    private readonly bool? _isDict;

    /// <summary>A scalar score with no extras (what verl's float-returning scorers produce).</summary>
    public static RewardResult Scalar(double score) => new(score, []);

    /// <summary>
    /// True when verl's scorer returned a dict: the reward manager then records every key as an extra. Defaults to
    /// "has extras"; a dict holding only <c>score</c> sets it explicitly.
    /// </summary>
    public bool IsDict
    {
        get => _isDict ?? Extras.Count > 0;
        init => _isDict = value;
    }

    /// <summary>
    /// Why the sample scored as it did, for people (e.g. a code reward's first failing test and how it failed); not a
    /// metric and not something verl records.
    /// </summary>
    public string? Detail { get; init; }
}
