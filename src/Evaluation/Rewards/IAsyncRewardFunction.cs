namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// A reward scored outside this process (a pool of Python workers running a verl custom reward file). Requests made
/// at about the same time travel together. A failing sample is an <see cref="RewardOutcome.Error"/>, never an
/// exception; exceptions mean the reward cannot run at all (<see cref="RewardConfigurationException"/>).
/// </summary>
public interface IAsyncRewardFunction
{
    Task<RewardOutcome> ScoreAsync(RewardRequest request, CancellationToken cancellationToken = default);
}
