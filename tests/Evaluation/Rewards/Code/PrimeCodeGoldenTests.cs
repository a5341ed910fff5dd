using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Rewards.Code;
using VerlOrleans.Evaluation.Tests.Golden;

namespace VerlOrleans.Evaluation.Tests.Rewards.Code;

/// <summary>
/// Every case in Golden/prime_code.jsonl (written by generate_prime_code.py from verl's own prime_code, run with
/// continuous=True as default_compute_score runs it) scores exactly as verl scored it when the program runs in the
/// sandbox: code extraction, stdin and call-based tests, verl's comparison cascade (whitespace, floats, sets of
/// words), runtime and compile errors, time limits, verl's reliability guard, malformed test cases.
/// </summary>
[Collection(CodeSandboxCollection.Name)]
public sealed class PrimeCodeGoldenTests
{
    [Fact]
    public async Task Every_golden_case_scores_exactly_as_verl_scored_it()
    {
        var registry = RewardRegistry.CreateDefault()
            .Register(new PrimeCodeReward(new CodeSandbox(new CodeSandboxOptions { MaxConcurrent = 6 })));
        var cases = GoldenFiles.ReadJsonLines("prime_code.jsonl").ToList();

        var scored = await Task.WhenAll(cases.Select(async c =>
        {
            var record = c.Record;
            var request = new RewardRequest(record["data_source"]!.GetValue<string>(), record["solution_str"]!.GetValue<string>(), record["ground_truth"]?.DeepClone());
            var reward = registry.Resolve(request.DataSource);
            Assert.Equal("prime_code", reward.Name);
            return (Case: record, Outcome: await ((IAsyncRewardFunction)reward).ScoreAsync(request));
        }));

        var mismatches = scored
            .Where(s => s.Outcome.Result?.Score != s.Case["score"]!.GetValue<double>())
            .Select(s => $"{s.Case["name"]}: verl {s.Case["score"]}, C# {s.Outcome.Result?.Score} ({s.Outcome.Result?.Detail ?? s.Outcome.Error})")
            .ToList();
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {cases.Count} golden cases differ from verl:\n" + string.Join("\n", mismatches));
        Assert.True(cases.Count >= 80, $"prime_code cases: {cases.Count}");
        Assert.All(scored, s => Assert.False(string.IsNullOrEmpty(s.Outcome.Result!.Detail)));
        Assert.Equal(PrimeCodeReward.Sources.Order(StringComparer.Ordinal), cases.Select(c => c.Record["data_source"]!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_golden_corpus_has_full_partial_and_zero_scores_and_both_test_styles()
    {
        var cases = GoldenFiles.ReadJsonLines("prime_code.jsonl").Select(c => c.Record).ToList();
        var scores = cases.Select(c => c["score"]!.GetValue<double>()).ToList();

        Assert.Contains(1.0, scores);
        Assert.Contains(0.0, scores);
        Assert.True(scores.Count(s => s is > 0 and < 1) >= 5);
        Assert.True(cases.Count(c => (c["ground_truth"] is JsonValue v ? v.GetValue<string>() : c["ground_truth"]!.ToJsonString()).Contains("fn_name", StringComparison.Ordinal)) >= 20);
    }
}
