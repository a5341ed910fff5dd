namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// A rule reward: scores one response against its ground truth. Implementations must never throw because of what
/// the model wrote (malformed answers score per the rule); they may throw <see cref="RewardConfigurationException"/>
/// for bad arguments or a ground truth of the wrong type, which are the dataset's or the user's fault.
/// Register custom ones with <see cref="RewardRegistry.Register"/> and route data sources to them by name.
/// </summary>
public interface IRewardFunction
{
    /// <summary>The name routes and configuration refer to (e.g. <c>gsm8k</c>).</summary>
    string Name { get; }

    RewardResult Score(RewardRequest request);
}
