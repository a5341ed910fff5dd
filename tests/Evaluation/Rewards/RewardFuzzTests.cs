using System.Text;
using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Rewards;

namespace VerlOrleans.Evaluation.Tests.Rewards;

/// <summary>Scoring never throws on model output: seeded random responses built from the tokens the scorers react to.</summary>
public sealed class RewardFuzzTests
{
    private static readonly string[] Pieces =
    [
        "\\boxed", "\\boxed{", "\\boxed ", "\\fbox{", "{", "}", "$", "\\frac", "\\sqrt", "\\text{ ", "\\text{", "####", "#### ",
        "Answer", "answer:", ":", "=", "/", ".", ",", "-", " ", "\n", "\t", "\\left", "\\right", "\\%", "^\\circ", "\\!", "\\\\",
        "0", "1", "2", "12", "0.5", "😀", "\uD800", "\uDC00", "é", "\u00a0", "\u001c", "ſ", "①", "٣", "a", "an ", "\\$",
    ];

    [Fact]
    public void Random_responses_never_make_a_reward_throw()
    {
        var registry = RewardRegistry.CreateDefault();
        var random = new Random(20260101);
        var sources = new[] { "openai/gsm8k", "lighteval/MATH", "math_dapo" };
        var truths = new[] { "72", "\\frac{1}{2}", "", "😀", "1,000", "\\boxed{3}", "=", "\\sqrt" };
        for (var i = 0; i < 5000; i++)
        {
            var text = new StringBuilder();
            var pieces = random.Next(0, i % 100 == 0 ? 400 : 30);
            for (var p = 0; p < pieces; p++)
            {
                text.Append(Pieces[random.Next(Pieces.Length)]);
            }

            var source = sources[i % sources.Length];
            var kwargs = source == "math_dapo" && random.Next(3) == 0
                ? new Dictionary<string, JsonNode?> { ["strict_box_verify"] = true, ["pause_tokens_index"] = new JsonArray(1, 2, 3, random.Next(-500, 500)) }
                : null;
            var request = new RewardRequest(source, text.ToString(), JsonValue.Create(truths[random.Next(truths.Length)]), null, kwargs);

            var result = registry.Score(request);

            Assert.True(result.Score is 0.0 or 1.0 or -1.0, $"case {i}: score {result.Score} for {JsonValue.Create(request.SolutionStr).ToJsonString()}");
        }
    }
}
