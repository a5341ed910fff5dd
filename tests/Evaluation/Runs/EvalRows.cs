using System.Text.Json.Nodes;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Runs;

/// <summary>Small verl-shaped JSON Lines datasets for evaluation tests (gsm8k rows, the first one gsm8k test row 0).</summary>
internal static class EvalRows
{
    public static string Write(string path, int count, Func<int, string>? question = null, string dataSource = "openai/gsm8k")
    {
        var lines = Enumerable.Range(0, count).Select(i => new JsonObject
        {
            ["data_source"] = dataSource,
            ["prompt"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = question?.Invoke(i) ?? Question(i) }),
            ["ability"] = "math",
            ["reward_model"] = new JsonObject { ["style"] = "rule", ["ground_truth"] = i == 0 ? "18" : $"{i * 3}" },
            ["extra_info"] = new JsonObject { ["index"] = i, ["split"] = "test" },
        }.ToJsonString());
        File.WriteAllLines(path, lines);
        return path;
    }

    public static string Question(int i) => i == 0
        ? TinyChatModel.Reference.Case("gsm8k-row-0").Messages[0]!["content"]!.GetValue<string>()
        : $"Sam has {i} boxes with {i + 2} pens each. How many pens? Let's think step by step and output the final answer after \"####\".";
}
