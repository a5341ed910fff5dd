using System.Text.RegularExpressions;
using VerlOrleans.Evaluation.Text;

namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// verl's <c>gsm8k.compute_score</c>: look only at the last 300 characters; <c>strict</c> takes the last
/// <c>#### number</c> (commas and <c>$</c> removed), <c>flexible</c> the last number-like run that is not "."; the
/// answer must equal the ground truth string exactly. Keyword arguments: <c>method</c> ("strict" | "flexible"),
/// <c>format_score</c> (0.0, for a wrong answer that was found), <c>score</c> (1.0).
/// </summary>
public sealed partial class Gsm8kReward : IRewardFunction
{
    /// <summary>Characters (code points) of the response's tail that verl searches.</summary>
    public const int ClipCharacters = 300;

    public string Name => "gsm8k";

    public RewardResult Score(RewardRequest request)
    {
        var arguments = new RewardArguments(Name, request.Kwargs, "method", "format_score", "score");
        var method = arguments.Text("method", "strict", "strict", "flexible");
        var formatScore = arguments.Number("format_score", 0.0);
        var correctScore = arguments.Number("score", 1.0);

        var answer = ExtractSolution(request.SolutionStr, method == "flexible");
        if (answer is null)
        {
            return RewardResult.Scalar(0.0);
        }

        return RewardResult.Scalar(string.Equals(answer, request.GroundTruthText, StringComparison.Ordinal) ? correctScore : formatScore);
    }

    /// <summary><c>extract_solution</c>: the answer string verl compares, or null when none is found.</summary>
    public static string? ExtractSolution(string solution, bool flexible)
    {
        solution = PythonText.Last(solution, ClipCharacters);
        if (!flexible)
        {
            string? last = null;
            foreach (Match match in StrictAnswer().Matches(solution))
            {
                last = match.Groups[1].Value;
            }

            return last?.Replace(",", "", StringComparison.Ordinal).Replace("$", "", StringComparison.Ordinal);
        }

        var numbers = FlexibleAnswer().Matches(solution);
        if (numbers.Count == 0)
        {
            return null;
        }

        // verl's loop leaves the loop variable on the first match when every candidate is "." (never "", the
        // pattern cannot match empty), so that is what it returns then.
        for (var i = numbers.Count - 1; i >= 0; i--)
        {
            if (numbers[i].Value != ".")
            {
                return numbers[i].Value;
            }
        }

        return numbers[0].Value;
    }

    [GeneratedRegex(@"#### (-?[0-9.,]+)", RegexOptions.CultureInvariant)]
    private static partial Regex StrictAnswer();

    [GeneratedRegex(@"-?[0-9.,]+", RegexOptions.CultureInvariant)]
    private static partial Regex FlexibleAnswer();
}
