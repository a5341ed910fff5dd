namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// verl's <c>prime_math.compute_score</c> (data sources <c>numina_aops_forum</c>, <c>numina_synthetic_math</c>,
/// <c>numina_amc_aime</c>, <c>numina_synthetic_amc</c>, <c>numina_cn_k12</c>, <c>numina_olympiads</c>), of which
/// <c>default_compute_score</c> keeps the first element: 1.0 when the answer <c>match_answer</c> extracts is right,
/// else 0.0.
/// <para>
/// Native where exact, verl's own function for the rest: the extraction (<see cref="PrimeMathAnswerMatcher"/>) and the
/// string stages of <c>grade_answer</c> (<see cref="Prm800kGrader"/>) run here, and an answer they find right scores
/// 1.0 without Python, as it does in verl, which returns at that point. Everything else depends on sympy (grade_answer's
/// simplification, then <c>grader.math_equal</c>'s numeric, symbolic and LaTeX parsing) and goes whole to verl's
/// <c>prime_math.compute_score</c> in the Python reward workers, whose interpreter needs verl, sympy and pylatexenc.
/// A ground truth that is not a string goes there too (verl scores <c>str(ground_truth)</c>).
/// </para>
/// </summary>
public sealed class PrimeMathReward : IPythonFallbackReward
{
    /// <summary>The shim function (verl_scorers.py) that runs verl's prime_math.compute_score.</summary>
    public const string PythonFunction = "prime_math";

    /// <summary>The data sources verl's default_compute_score routes to prime_math.</summary>
    public static readonly IReadOnlyList<string> Sources =
    [
        "numina_aops_forum", "numina_synthetic_math", "numina_amc_aime", "numina_synthetic_amc", "numina_cn_k12", "numina_olympiads",
    ];

    public string Name => "prime_math";

    public string PythonRequirements => "verl (verl.utils.reward_score.prime_math) with sympy and pylatexenc";

    public RewardResult Score(RewardRequest request) =>
        TryScoreNatively(request)
        ?? throw new RewardConfigurationException($"reward '{Name}' needs verl's Python prime_math for this response; score it through the Python reward workers");

    public RewardResult? TryScoreNatively(RewardRequest request)
    {
        _ = new RewardArguments(Name, request.Kwargs);
        return request.GroundTruthText is { } truth
            && PrimeMathAnswerMatcher.Match(request.SolutionStr) is { } answer
            && Prm800kGrader.Grade(answer, truth, Prm800kVariant.PrimeMath) == GradeVerdict.Correct
                ? RewardResult.Scalar(1.0)
                : null;
    }

    public RewardRequest ToPython(RewardRequest request) => new(PythonFunction, request.SolutionStr, request.GroundTruth?.DeepClone());

    public RewardResult FromPython(RewardRequest request, RewardResult python) => RewardResult.Scalar(python.Score);
}
