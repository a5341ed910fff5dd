using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Text;

namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// verl's <c>geo3k.compute_score</c> (data source <c>hiyouga/geometry3k</c>):
/// <c>(1 - format_score) · acc + format_score · format</c>, where format is 1 when the whole response matches
/// <c>&lt;think&gt;.*&lt;/think&gt;.*\boxed\{.*\}.*</c> and acc is mathruler's
/// <c>grade_answer(extract_boxed_content(response), ground_truth)</c> (the last <c>\boxed{…}</c>, or the text
/// "None" when there is none). Keyword arguments as compute_score's defaults: <c>use_boxed</c> (true),
/// <c>format_score</c> (0.1); verl's <c>default_compute_score</c> passes none.
/// <para>
/// Native where exact, Python for the rest: the format check, the extraction and grade_answer's string stages run
/// here (<see cref="Prm800kGrader"/>). An answer whose grading reaches pylatexenc or sympy goes to mathruler's own
/// <c>grade_answer</c> in the Python reward workers, because restating sympy's simplifier is not a port that can be
/// exact; the format part stays native. The interpreter needs <c>mathruler</c> (which brings sympy and pylatexenc), as
/// verl's own environment has.
/// </para>
/// </summary>
public sealed class Geo3kReward : IPythonFallbackReward
{
    /// <summary>The shim function (verl_scorers.py) that runs mathruler's grade_answer.</summary>
    public const string PythonFunction = "mathruler.grade_answer";

    private const string BoxedOpen = "\\boxed{";

    public string Name => "geo3k";

    public string PythonRequirements => "mathruler (with sympy and pylatexenc)";

    public RewardResult Score(RewardRequest request) =>
        TryScoreNatively(request)
        ?? throw new RewardConfigurationException($"reward '{Name}' needs mathruler's Python grade_answer for this response; score it through the Python reward workers");

    public RewardResult? TryScoreNatively(RewardRequest request)
    {
        var (useBoxed, formatScore, truth) = Read(request);
        var answer = useBoxed ? ExtractBoxedContent(request.SolutionStr) : request.SolutionStr;
        return Prm800kGrader.Grade(answer, truth, Prm800kVariant.MathRuler) switch
        {
            GradeVerdict.Correct => Combine(1.0, formatScore, request.SolutionStr),
            GradeVerdict.Incorrect => Combine(0.0, formatScore, request.SolutionStr),
            _ => null,
        };
    }

    public RewardRequest ToPython(RewardRequest request)
    {
        var (useBoxed, _, truth) = Read(request);
        return new RewardRequest(PythonFunction, useBoxed ? ExtractBoxedContent(request.SolutionStr) : request.SolutionStr, JsonValue.Create(truth));
    }

    public RewardResult FromPython(RewardRequest request, RewardResult python) =>
        Combine(python.Score, Read(request).FormatScore, request.SolutionStr);

    /// <summary><c>format_reward</c>: the response starts with <c>&lt;think&gt;</c>, then <c>&lt;/think&gt;</c>, <c>\boxed{</c> and <c>}</c> follow in that order.</summary>
    public static bool HasFormat(string response)
    {
        // The earliest occurrence of each piece is the best choice for the next, so no regex backtracking is needed.
        const string Open = "<think>";
        const string Close = "</think>";
        if (!response.StartsWith(Open, StringComparison.Ordinal))
        {
            return false;
        }

        var close = response.IndexOf(Close, Open.Length, StringComparison.Ordinal);
        var boxed = close < 0 ? -1 : response.IndexOf(BoxedOpen, close + Close.Length, StringComparison.Ordinal);
        return boxed >= 0 && response.IndexOf('}', boxed + BoxedOpen.Length) >= 0;
    }

    /// <summary>mathruler's <c>extract_boxed_content</c>: the stripped inside of the last <c>\boxed{</c> up to its closing brace, else "None".</summary>
    public static string ExtractBoxedContent(string text)
    {
        var start = text.LastIndexOf(BoxedOpen, StringComparison.Ordinal);
        if (start < 0)
        {
            return "None";
        }

        var depth = 0;
        for (var i = start + BoxedOpen.Length; i < text.Length; i++)
        {
            depth += text[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == -1)
            {
                return PythonText.Strip(text[(start + BoxedOpen.Length)..i]);
            }
        }

        return "None";
    }

    private static RewardResult Combine(double accuracy, double formatScore, string response) =>
        RewardResult.Scalar(((1.0 - formatScore) * accuracy) + (formatScore * (HasFormat(response) ? 1.0 : 0.0)));

    private (bool UseBoxed, double FormatScore, string Truth) Read(RewardRequest request)
    {
        var arguments = new RewardArguments(Name, request.Kwargs, "use_boxed", "format_score");
        var truth = request.GroundTruthText
            ?? throw new RewardConfigurationException($"reward '{Name}' needs ground_truth as a string, got {request.GroundTruth?.ToJsonString() ?? "null"}");
        return (arguments.Boolean("use_boxed", true), arguments.Number("format_score", 0.1), truth);
    }
}
