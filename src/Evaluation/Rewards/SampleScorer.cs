using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Rewards.Python;

namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// Scores responses the way a verl reward manager does: route by data source (or, with a custom reward function,
/// call it for every data source, as verl's <c>custom_reward_function</c> replaces the default routing), then record
/// the reward extras the manager would record for <paramref name="mode"/>. The result's
/// <see cref="ScoredResponse.Variables"/> are exactly the per-sample values verl's validation metrics aggregate
/// (<c>reward</c> first, then the extras). Built-in rewards that hand some responses to verl's Python function
/// (<see cref="IPythonFallbackReward"/>) score those through <paramref name="verlPython"/>, in <see cref="ScoreAsync"/>.
/// </summary>
public sealed class SampleScorer(RewardRegistry registry, RewardMode mode = RewardMode.Naive, IAsyncRewardFunction? custom = null,
    VerlPythonScorers? verlPython = null)
{
    public RewardRegistry Registry { get; } = registry;

    public RewardMode Mode { get; } = mode;

    /// <summary>The custom reward every sample goes to instead of the registry (scored with <see cref="ScoreAsync"/>), or null.</summary>
    public IAsyncRewardFunction? Custom { get; } = custom;

    /// <summary>
    /// True when scoring leaves this process, through the custom reward or a registered reward that runs elsewhere (a
    /// code sandbox): use <see cref="ScoreAsync"/>, and start a call's samples together.
    /// </summary>
    public bool IsAsync => Custom is not null || Registry.HasAsyncRewards;

    /// <summary>
    /// True when <paramref name="dataSource"/>'s samples must be scored with <see cref="ScoreAsync"/>: a custom reward,
    /// one that runs in the code sandbox, or one that may need verl's Python.
    /// </summary>
    public bool NeedsAsync(string dataSource) =>
        Custom is not null || Registry.Resolve(dataSource) is IPythonFallbackReward or IAsyncRewardFunction;

    /// <summary>Scores with the built-in rewards, synchronously (the registry's rewards are pure functions).</summary>
    public ScoredResponse Score(string dataSource, string response, JsonNode? groundTruth, JsonObject? extraInfo = null,
        IReadOnlyDictionary<string, JsonNode?>? kwargs = null)
    {
        if (Custom is not null)
        {
            throw new InvalidOperationException("this scorer uses a custom reward function: call ScoreAsync");
        }

        return Record(Registry.Score(new RewardRequest(dataSource, response, groundTruth, extraInfo, kwargs)));
    }

    /// <summary>
    /// Scores with the custom reward when there is one, else with the routed reward (through verl's Python function
    /// where it needs one). A sample the reward fails on comes back with score 0, no extras and
    /// <see cref="ScoredResponse.Error"/> set.
    /// </summary>
    public async ValueTask<ScoredResponse> ScoreAsync(string dataSource, string response, JsonNode? groundTruth, JsonObject? extraInfo = null,
        CancellationToken cancellationToken = default)
    {
        RewardOutcome outcome;
        if (Custom is not null)
        {
            outcome = await Custom.ScoreAsync(new RewardRequest(dataSource, response, groundTruth, VerlExtraInfo(extraInfo)), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            outcome = await Registry.ScoreAsync(new RewardRequest(dataSource, response, groundTruth, extraInfo), verlPython, cancellationToken).ConfigureAwait(false);
        }

        return outcome.Result is { } result ? Record(result) : new ScoredResponse(0.0, []) { Error = outcome.Error };
    }

    /// <summary>
    /// The <c>extra_info</c> verl's reward managers hand a scorer: the row's, plus <c>num_turns</c> (2 for the reward
    /// loop's single-turn agent loop, None for the legacy manager) and <c>rollout_reward_scores</c> ({}), unless the
    /// row already has them.
    /// </summary>
    private JsonObject VerlExtraInfo(JsonObject? extraInfo)
    {
        var info = extraInfo is null ? [] : (JsonObject)extraInfo.DeepClone();
        if (!info.ContainsKey("num_turns"))
        {
            info["num_turns"] = Mode == RewardMode.RewardLoop ? 2 : null;
        }

        if (!info.ContainsKey("rollout_reward_scores"))
        {
            info["rollout_reward_scores"] = new JsonObject();
        }

        return info;
    }

    private ScoredResponse Record(RewardResult result)
    {
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

        return new ScoredResponse(result.Score, extras) { Detail = result.Detail };
    }
}
