namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// verl's <c>math_reward.compute_score</c> for MATH (<c>lighteval/MATH</c>, <c>DigitalLearningGmbH/MATH-lighteval</c>,
/// <c>HuggingFaceH4/MATH-500</c>): the last <c>\boxed{}</c> answer, normalised the Hendrycks way, must equal the
/// normalised ground truth. 1.0 or 0.0; no keyword arguments.
/// </summary>
public sealed class HendrycksMathReward : IRewardFunction
{
    public string Name => "math";

    public RewardResult Score(RewardRequest request)
    {
        _ = new RewardArguments(Name, request.Kwargs);
        var boxed = HendrycksMathNormalizer.LastBoxedOnlyString(request.SolutionStr);
        if (boxed is null || !HendrycksMathNormalizer.TryRemoveBoxed(boxed, out var answer))
        {
            return RewardResult.Scalar(0.0);
        }

        // A ground truth that is not a string never equals the answer (verl's comparison falls back to str == non-str).
        var truth = request.GroundTruthText;
        return RewardResult.Scalar(truth is not null && HendrycksMathNormalizer.IsEquivalent(answer, truth) ? 1.0 : 0.0);
    }
}
