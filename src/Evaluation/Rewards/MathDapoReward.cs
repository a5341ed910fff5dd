using System.Text.RegularExpressions;
using VerlOrleans.Evaluation.Text;

namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// verl's <c>math_dapo.compute_score</c> (data sources <c>math_dapo</c>, <c>math</c>, <c>math_dapo_reasoning</c>,
/// <c>aime*</c>): within the last 300 characters, the last <c>Answer: …</c> line, Minerva-normalised, must equal the
/// normalised ground truth. Returns <c>score</c> +1/−1 with extras <c>acc</c> (bool) and <c>pred</c> (the normalised
/// prediction). Keyword arguments: <c>strict_box_verify</c> (compare the last <c>\boxed{}</c> of the last 100
/// characters verbatim instead) and <c>pause_tokens_index</c> (4 integers; only with strict_box_verify).
/// </summary>
public sealed partial class MathDapoReward : IRewardFunction
{
    public const int ClipCharacters = 300;

    public string Name => "math_dapo";

    public RewardResult Score(RewardRequest request)
    {
        var arguments = new RewardArguments(Name, request.Kwargs, "strict_box_verify", "pause_tokens_index");
        var strictBox = arguments.Boolean("strict_box_verify", false);
        var pauseTokens = arguments.Integers("pause_tokens_index");
        var truth = request.GroundTruthText
            ?? throw new RewardConfigurationException(
                $"reward '{Name}' needs reward_model.ground_truth to be a string, got {request.GroundTruth?.ToJsonString() ?? "null"}");

        var solution = PythonText.Last(request.SolutionStr, ClipCharacters);
        bool correct;
        ScalarValue pred;
        if (strictBox)
        {
            var extracted = StrictBoxPrediction(solution, pauseTokens);
            correct = string.Equals(extracted, truth, StringComparison.Ordinal);
            pred = extracted is null ? ScalarValue.Null : ScalarValue.FromText(extracted);
        }
        else
        {
            var normalized = MinervaAnswerNormalizer.Normalize(LastAnswer(solution) ?? "[INVALID]");
            correct = normalized == MinervaAnswerNormalizer.Normalize(truth);
            pred = ScalarValue.FromText(normalized);
        }

        return new RewardResult(correct ? 1.0 : -1.0,
        [
            new("acc", ScalarValue.FromBoolean(correct)),
            new("pred", pred),
        ]);
    }

    private static string? LastAnswer(string solution)
    {
        string? last = null;
        foreach (Match match in AnswerLine().Matches(solution))
        {
            last = match.Groups[1].Value;
        }

        return last;
    }

    /// <summary><c>is_correct_strict_box</c>'s prediction: the inside of the last <c>\boxed{…}</c> near the end, or null.</summary>
    private static string? StrictBoxPrediction(string solution, IReadOnlyList<long>? pauseTokens)
    {
        if (pauseTokens is not null && pauseTokens.Count != 4)
        {
            throw new RewardConfigurationException($"reward 'math_dapo': pause_tokens_index must hold 4 integers, got {pauseTokens.Count}");
        }

        var tail = pauseTokens is null ? PythonText.Last(solution, 100) : PythonText.SliceFrom(solution, pauseTokens[3] - 100);
        var start = tail.LastIndexOf("\\boxed{", StringComparison.Ordinal);
        var boxed = start < 0 ? null : HendrycksMathNormalizer.BalancedFrom(tail, start);
        return boxed?["\\boxed{".Length..^1];
    }

    // Python: (?i)Answer\s*:\s*([^\n]+). Case-insensitive "s" also matches U+017F (long s) in Python's re.
    [GeneratedRegex(@"[Aa][Nn][Ss\u017F][Ww][Ee][Rr]" + PythonText.Whitespace + "*:" + PythonText.Whitespace + @"*([^\n]+)", RegexOptions.CultureInvariant)]
    private static partial Regex AnswerLine();
}
