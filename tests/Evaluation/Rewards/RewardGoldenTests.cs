using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Tests.Golden;

namespace VerlOrleans.Evaluation.Tests.Rewards;

/// <summary>
/// Every response in Golden/rewards.jsonl scored by the C# rewards must get exactly the score (and extras) verl's
/// <c>default_compute_score</c> gave it: malformed boxes, nested braces, \fbox, units, commas, signs, '####'
/// variants, unicode and astral characters, empty and very long strings.
/// </summary>
public sealed class RewardGoldenTests
{
    private static readonly RewardRegistry Registry = RewardRegistry.CreateDefault();

    [Fact]
    public void Every_golden_response_scores_exactly_as_verl_scored_it()
    {
        var mismatches = new List<string>();
        var perReward = new Dictionary<string, int>();
        foreach (var (line, record) in GoldenFiles.ReadJsonLines("rewards.jsonl"))
        {
            var source = record["data_source"]!.GetValue<string>();
            var kwargs = record["reward_kwargs"]?.AsObject().ToDictionary(p => p.Key, p => p.Value?.DeepClone());
            var request = new RewardRequest(source, record["solution_str"]!.GetValue<string>(), record["ground_truth"]?.DeepClone(), null, kwargs);
            var reward = Registry.Resolve(source);
            perReward[reward.Name] = perReward.GetValueOrDefault(reward.Name) + 1;

            var actual = reward.Score(request);
            var expected = ExpectedOf(record);
            if (actual.Score != expected.Score || !SameExtras(actual, expected))
            {
                mismatches.Add($"line {line} [{source}] {Shorten(request.SolutionStr)} vs {request.GroundTruth?.ToJsonString()}: " +
                    $"verl {Describe(expected)}, C# {Describe(actual)}");
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of the golden cases differ from verl:\n" + string.Join("\n", mismatches.Take(25)));
        Assert.True(perReward.GetValueOrDefault("gsm8k") >= 1000, $"gsm8k cases: {perReward.GetValueOrDefault("gsm8k")}");
        Assert.True(perReward.GetValueOrDefault("math") >= 1000, $"MATH cases: {perReward.GetValueOrDefault("math")}");
        Assert.True(perReward.GetValueOrDefault("math_dapo") >= 1000, $"math_dapo cases: {perReward.GetValueOrDefault("math_dapo")}");
    }

    [Fact]
    public void The_golden_corpus_exercises_both_outcomes_of_every_reward()
    {
        var outcomes = GoldenFiles.ReadJsonLines("rewards.jsonl")
            .Select(r => (Reward: Registry.Resolve(r.Record["data_source"]!.GetValue<string>()).Name, Score: r.Record["score"]!.GetValue<double>()))
            .GroupBy(r => r.Reward)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Score).Distinct().Order().ToArray());

        Assert.Equal([0.0, 0.1, 1.0, 2.0], outcomes["gsm8k"]);
        Assert.Equal([0.0, 1.0], outcomes["math"]);
        Assert.Equal([-1.0, 1.0], outcomes["math_dapo"]);
    }

    private static RewardResult ExpectedOf(JsonObject record)
    {
        var extras = new List<KeyValuePair<string, ScalarValue>>();
        if (record["extras"] is JsonObject expectedExtras)
        {
            foreach (var (key, value) in expectedExtras)
            {
                Assert.True(ScalarValue.TryFromJson(value, out var scalar));
                extras.Add(new(key, scalar));
            }
        }

        return new RewardResult(record["score"]!.GetValue<double>(), extras);
    }

    private static bool SameExtras(RewardResult actual, RewardResult expected) =>
        actual.Extras.Count == expected.Extras.Count
        && actual.Extras.Zip(expected.Extras).All(p => p.First.Key == p.Second.Key && p.First.Value == p.Second.Value);

    private static string Describe(RewardResult result) =>
        result.Score + (result.Extras.Count == 0 ? "" : " {" + string.Join(", ", result.Extras.Select(e => $"{e.Key}={e.Value}")) + "}");

    private static string Shorten(string text) =>
        JsonValue.Create(text.Length > 80 ? text[..40] + "…" + text[^40..] : text).ToJsonString();
}
