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
