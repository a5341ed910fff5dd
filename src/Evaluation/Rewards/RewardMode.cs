namespace VerlOrleans.Evaluation.Rewards;

/// <summary>Which verl reward manager's bookkeeping to reproduce; it changes the variables metrics see.</summary>
public enum RewardMode
{
    /// <summary>
    /// Legacy <c>NaiveRewardManager</c> (verl ≤ 0.6 default): a float score adds no extras, a dict score adds all its
    /// keys. gsm8k metrics are then <c>val-core/openai/gsm8k/reward/mean@1</c>.
    /// </summary>
    Naive,

    /// <summary>
    /// The reward loop (verl ≥ 0.7 default): as <see cref="Naive"/>, and a float score also becomes <c>acc</c>, which
    /// then is the core variable (<c>val-core/openai/gsm8k/acc/mean@1</c>).
    /// </summary>
    RewardLoop,
}
