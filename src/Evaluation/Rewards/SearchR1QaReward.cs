using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Text;

namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// verl's <c>search_r1_like_qa_em.compute_score</c> (data sources <c>searchR1_nq</c>, <c>searchR1_triviaqa</c>,
/// <c>searchR1_popqa</c>, <c>searchR1_hotpotqa</c>, <c>searchR1_2wikimultihopqa</c>, <c>searchR1_musique</c>,
/// <c>searchR1_bamboogle</c>): the answer is the stripped text of the last <c>&lt;answer&gt;…&lt;/answer&gt;</c>
/// (lazy, across lines); none scores 0. Normalised (<see cref="QaAnswerNormalizer"/>), it must equal one normalised
/// <c>ground_truth["target"]</c> (a list of strings, or one string) to score <c>score</c>, divided by 4 when the
/// response holds more than 10 opening or more than 10 closing answer tags; otherwise <c>format_score</c>.
/// Keyword arguments, as compute_score's own defaults: <c>method</c> (unused), <c>format_score</c> (0.0),
/// <c>score</c> (1.0). verl's <c>default_compute_score</c> passes none.
/// </summary>
public sealed class SearchR1QaReward : IRewardFunction
{
    /// <summary>More answer tags of either kind than this divide a correct score by 4.</summary>
    public const int MaxAnswerTags = 10;

    private const string OpenTag = "<answer>";
    private const string CloseTag = "</answer>";

    public string Name => "search_r1_like_qa_em";

    public RewardResult Score(RewardRequest request)
    {
        var arguments = new RewardArguments(Name, request.Kwargs, "method", "format_score", "score");
        arguments.Text("method", "strict", "strict", "flexible");
        var formatScore = arguments.Number("format_score", 0.0);
        var correctScore = arguments.Number("score", 1.0);
        var targets = Targets(request.GroundTruth);

        var answer = ExtractSolution(request.SolutionStr);
        if (answer is null)
        {
            return RewardResult.Scalar(0.0);
        }

        var prediction = QaAnswerNormalizer.Normalize(answer);
        if (!targets.Any(target => QaAnswerNormalizer.Normalize(target) == prediction))
        {
            return RewardResult.Scalar(formatScore);
        }

        var tooManyTags = Count(request.SolutionStr, OpenTag) > MaxAnswerTags || Count(request.SolutionStr, CloseTag) > MaxAnswerTags;
        return RewardResult.Scalar(tooManyTags ? correctScore / 4 : correctScore);
    }

    /// <summary><c>extract_solution</c>: the stripped inside of the last <c>&lt;answer&gt;(.*?)&lt;/answer&gt;</c> match, or null.</summary>
    public static string? ExtractSolution(string solution)
    {
        string? last = null;
        var position = 0;
        while (true)
        {
            var open = solution.IndexOf(OpenTag, position, StringComparison.Ordinal);
            if (open < 0)
            {
                break;
            }

            var close = solution.IndexOf(CloseTag, open + OpenTag.Length, StringComparison.Ordinal);
            if (close < 0)
            {
                break;
            }

            last = solution[(open + OpenTag.Length)..close];
            position = close + CloseTag.Length;
        }

        return last is null ? null : PythonText.Strip(last);
    }

    private IReadOnlyList<string> Targets(JsonNode? groundTruth)
    {
        var target = groundTruth is JsonObject truth && truth.TryGetPropertyValue("target", out var value)
            ? value
            : throw new RewardConfigurationException(
                $"reward '{Name}' needs reward_model.ground_truth to be an object with 'target' (a list of answers), got {groundTruth?.ToJsonString() ?? "null"}");
        if (target is JsonValue single && single.TryGetValue<string>(out var text))
        {
            return [text];
        }

        if (target is JsonArray list && list.All(item => item is JsonValue v && v.TryGetValue<string>(out _)))
        {
            return [.. list.Select(item => item!.GetValue<string>())];
        }

        throw new RewardConfigurationException(
            $"reward '{Name}' needs ground_truth['target'] to be a string or a list of strings, got {target?.ToJsonString() ?? "null"}");
    }

    private static int Count(string text, string tag)
    {
        var count = 0;
        for (var at = text.IndexOf(tag, StringComparison.Ordinal); at >= 0; at = text.IndexOf(tag, at + tag.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
