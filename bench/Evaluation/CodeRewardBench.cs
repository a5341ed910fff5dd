using System.Diagnostics;
using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Rewards.Code;

namespace VerlOrleans.Bench.Evaluation;

/// <summary>
/// Code rewards: samples/s scored by prime_code through the bubblewrap sandbox (one sandbox per sample), all queued,
/// on the golden prime_code cases that do not wait for a time limit; set beside the native gsm8k rate of the same run.
/// </summary>
internal static class CodeRewardBench
{
    public static async Task<List<(string What, string Result)>> RunAsync(string goldenPrimeCode, int repeat)
    {
        var cases = File.ReadLines(goldenPrimeCode).Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(c => !c["name"]!.GetValue<string>().Contains("time limit", StringComparison.Ordinal))
            .ToList();
        var requests = Enumerable.Repeat(cases, repeat).SelectMany(c => c)
            .Select(c => (Request: new RewardRequest(c["data_source"]!.GetValue<string>(), c["solution_str"]!.GetValue<string>(), c["ground_truth"]?.DeepClone()),
                Expected: c["score"]!.GetValue<double>()))
            .ToList();
        var options = new CodeSandboxOptions();
        var reward = new PrimeCodeReward(new CodeSandbox(options));
        await reward.ScoreAsync(requests[0].Request);                                // the sandbox probe, and a warm page cache

        var watch = Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(requests.Select(r => reward.ScoreAsync(r.Request)));
        var seconds = watch.Elapsed.TotalSeconds;
        var wrong = outcomes.Zip(requests).Count(p => p.First.Result?.Score != p.Second.Expected);
        if (wrong > 0)
        {
            throw new InvalidOperationException($"{wrong} sandboxed prime_code scores differ from verl's goldens");
        }

        return [($"score prime_code in the sandbox ({requests.Count} golden samples without time limits, {options.MaxConcurrent} sandboxes at a time)",
            $"{requests.Count / seconds:F1} samples/s ({seconds * 1000 / requests.Count * options.MaxConcurrent:F0} ms per sample per slot)")];
    }
}
