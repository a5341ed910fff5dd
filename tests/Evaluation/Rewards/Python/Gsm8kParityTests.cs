using System.Globalization;
using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Rewards.Python;
using VerlOrleans.Evaluation.Tests.Fixtures;
using VerlOrleans.Evaluation.Tests.Golden;

namespace VerlOrleans.Evaluation.Tests.Rewards.Python;

/// <summary>
/// verl's gsm8k rule written as a custom reward file (Files/gsm8k_reward.py) and run through the Python pool scores
/// exactly as the native <see cref="Gsm8kReward"/> does: on responses built from every row of verl's gsm8k test
/// parquet (the reference solutions and variants that hit each branch: no space after ####, trailing numbers, a "$",
/// thousands commas, text beyond the 300-character clip) under each of verl's keyword settings, and on every gsm8k
/// case of the golden corpus.
/// </summary>
public sealed class Gsm8kParityTests
{
    private static readonly JsonObject?[] KwargSets =
    [
        null,
        new() { ["method"] = "flexible" },
        new() { ["format_score"] = 0.1, ["score"] = 2.0 },
        new() { ["method"] = "flexible", ["format_score"] = 0.5 },
    ];

    [Fact]
    public async Task The_python_copy_of_verls_gsm8k_scores_every_test_row_variant_as_the_native_scorer()
    {
        var requests = new List<RewardRequest>();
        var dataset = await VerlDataset.OpenAsync([VerlData.Gsm8kTest]);
        await foreach (var row in dataset.ReadAsync())
        {
            requests.AddRange(Variants(row).Select(response => new RewardRequest("openai/gsm8k", response, row.GroundTruth, row.ExtraInfo)));
        }

        Assert.True(requests.Count > 7000, $"{requests.Count} requests");
        var totals = new Dictionary<double, int>();
        foreach (var kwargs in KwargSets)
        {
            await AssertSameScoresAsync(requests.Select(r => r with { Kwargs = ToDictionary(kwargs) }).ToList(), kwargs, totals);
        }

        // Both outcomes of every setting occur, so the comparison covers right and wrong answers alike.
        Assert.Equal([0.0, 0.1, 0.5, 1.0, 2.0], totals.Keys.Order());
    }

    [Fact]
    public async Task The_python_copy_of_verls_gsm8k_scores_the_golden_corpus_as_verl_did()
    {
        var golden = GoldenFiles.ReadJsonLines("rewards.jsonl")
            .Where(g => g.Record["data_source"]!.GetValue<string>() == "openai/gsm8k")
            .Select(g => g.Record)
            .ToList();
        foreach (var group in golden.GroupBy(g => g["reward_kwargs"]?.ToJsonString() ?? "null"))
        {
            var kwargs = group.First()["reward_kwargs"] as JsonObject;
            var requests = group.Select(g => new RewardRequest("openai/gsm8k", g["solution_str"]!.GetValue<string>(), g["ground_truth"]?.DeepClone(), null, ToDictionary(kwargs))).ToList();
            await AssertSameScoresAsync(requests, kwargs, []);
            Assert.Equal(group.Select(g => g["score"]!.GetValue<double>()), requests.Select(r => new Gsm8kReward().Score(r).Score));
        }

        Assert.True(golden.Count >= 1000, $"{golden.Count} golden gsm8k cases");
    }

    private static async Task AssertSameScoresAsync(List<RewardRequest> requests, JsonObject? kwargs, Dictionary<double, int> totals)
    {
        await using var pool = await PythonRewardPool.StartAsync(RewardFiles.Function("gsm8k_reward.py", kwargs: (JsonObject?)kwargs?.DeepClone()), RewardFiles.Options());
        var outcomes = await pool.ScoreAllAsync(requests);
        var native = new Gsm8kReward();
        var mismatches = new List<string>();
        for (var i = 0; i < requests.Count; i++)
        {
            var expected = native.Score(requests[i]).Score;
            var actual = outcomes[i].Result?.Score;
            totals[expected] = totals.GetValueOrDefault(expected) + 1;
            if (actual != expected || outcomes[i].Result!.IsDict)
            {
                mismatches.Add($"{kwargs?.ToJsonString() ?? "{}"} #{i} {requests[i].SolutionStr[..Math.Min(80, requests[i].SolutionStr.Length)]!}: native {expected}, python {actual?.ToString() ?? outcomes[i].Error}");
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {requests.Count} differ:\n" + string.Join("\n", mismatches.Take(20)));
    }

    /// <summary>The row's reference solution (verl keeps it in extra_info.answer) and variants that reach each branch of the rule.</summary>
    private static IEnumerable<string> Variants(DatasetRow row)
    {
        var truth = row.GroundTruth!.GetValue<string>();
        var answer = row.ExtraInfo["answer"]?.GetValue<string>() ?? $"So it is #### {truth}";
        yield return answer;
        yield return answer.Replace("#### ", "####", StringComparison.Ordinal);
        yield return answer + " and then 1,000 more.";
        yield return $"The answer is ${truth}.";
        yield return $"#### {truth}1";
        yield return new string('x', 400) + answer;
        yield return answer + "\n" + new string('.', 320);
        yield return long.TryParse(truth, CultureInfo.InvariantCulture, out var number) ? "#### " + number.ToString("N0", CultureInfo.InvariantCulture) : $"#### {truth},";
    }

    private static Dictionary<string, JsonNode?>? ToDictionary(JsonObject? kwargs) =>
        kwargs?.ToDictionary(p => p.Key, p => p.Value?.DeepClone());
}
