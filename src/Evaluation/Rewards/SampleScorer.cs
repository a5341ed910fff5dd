using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// Scores responses the way a verl reward manager does: route by data source, then record the reward extras the
/// manager would record for <paramref name="mode"/>. The result's <see cref="ScoredResponse.Variables"/> are exactly
/// the per-sample values verl's validation metrics aggregate (<c>reward</c> first, then the extras).
/// </summary>
public sealed class SampleScorer(RewardRegistry registry, RewardMode mode = RewardMode.Naive)
{
    public RewardRegistry Registry { get; } = registry;

    public RewardMode Mode { get; } = mode;

    public ScoredResponse Score(string dataSource, string response, JsonNode? groundTruth, JsonObject? extraInfo = null,
        IReadOnlyDictionary<string, JsonNode?>? kwargs = null)
    {
        var result = Registry.Score(new RewardRequest(dataSource, response, groundTruth, extraInfo, kwargs));
        var extras = new List<KeyValuePair<string, ScalarValue>>();
        if (result.IsDict)
        {
            // verl records every key of a dict score, "score" included, in the dict's order.
            extras.Add(new("score", ScalarValue.FromNumber(result.Score)));
            extras.AddRange(result.Extras);
        }
        else if (Mode == RewardMode.RewardLoop)
        {
            extras.Add(new("acc", ScalarValue.FromNumber(result.Score)));
        }

        return new ScoredResponse(result.Score, extras);
    }
}

/// <summary>A response's score and the reward extras a verl reward manager records for it.</summary>
public sealed record ScoredResponse(double Score, IReadOnlyList<KeyValuePair<string, ScalarValue>> Extras)
{
    /// <summary>
    /// The metric variables of this sample: <c>reward</c> followed by every extra. verl reads <c>reward</c> back from
    /// its float32 reward tensor, so it is the score rounded to float32 (exact for ±1 and 0), while extras keep the
    /// scorer's float64 values.
    /// </summary>
    public IEnumerable<KeyValuePair<string, ScalarValue>> Variables =>
        Extras.Prepend(new("reward", ScalarValue.FromNumber((float)Score)));
}
