namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// What scoring one sample gave: a result, or why there is none (the custom reward raised, hung past its timeout, or
/// took its worker process down). A failed sample is recorded with score 0 and the error; the run goes on.
/// </summary>
public sealed record RewardOutcome(RewardResult? Result, string? Error)
{
    public static RewardOutcome Success(RewardResult result) => new(result, null);

    public static RewardOutcome Failure(string error) => new(null, error);
}
