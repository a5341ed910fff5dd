using System.Diagnostics;
using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Rewards.Python;

namespace VerlOrleans.Bench.Evaluation;

/// <summary>
/// Custom reward files: samples/s scored by the Python worker pool (verl's gsm8k rule as a reward file, run by
/// /usr/bin/python3) against the native gsm8k scorer, on responses made from verl's gsm8k test rows.
/// </summary>
internal static class PythonRewardBench
{
    public static async Task<List<(string What, string Result)>> RunAsync(string gsm8kParquet, string rewardFile, int repeat)
    {
        var rows = new List<RewardRequest>();
        var dataset = await VerlDataset.OpenAsync([gsm8kParquet]);
        await foreach (var row in dataset.ReadAsync())
        {
            var answer = row.ExtraInfo["answer"]?.GetValue<string>() ?? "#### 0";
            rows.Add(new RewardRequest("openai/gsm8k", answer, row.GroundTruth, row.ExtraInfo));
            rows.Add(new RewardRequest("openai/gsm8k", answer + " so maybe 12", row.GroundTruth, row.ExtraInfo));
        }

        var requests = Enumerable.Repeat(rows, repeat).SelectMany(r => r).ToList();
        var table = new List<(string, string)>();

        var native = new Gsm8kReward();
        var checksum = 0.0;
        var watch = Stopwatch.StartNew();
        foreach (var request in requests)
        {
            checksum += native.Score(request).Score;
        }

        var nativeRate = requests.Count / watch.Elapsed.TotalSeconds;
        table.Add(($"score gsm8k natively ({requests.Count} responses from the test rows, 1 thread)", $"{nativeRate:F0} samples/s"));

        var function = new CustomRewardFunction(rewardFile);
        foreach (var workers in new[] { 1, Math.Min(Environment.ProcessorCount, 4) }.Distinct())
        {
            var options = new PythonRewardOptions { Workers = workers };
            watch.Restart();
            await using var pool = await PythonRewardPool.StartAsync(function, options);
            var startMs = watch.Elapsed.TotalMilliseconds;
            await pool.ScoreAllAsync(requests.Take(200));                           // warm up
            var sent = pool.MessagesSent;
            watch.Restart();
            var outcomes = await pool.ScoreAllAsync(requests);
            var seconds = watch.Elapsed.TotalSeconds;
            var python = outcomes.Sum(o => o.Result!.Score);
            if (python != checksum)
            {
                throw new InvalidOperationException($"the Python pool's scores ({python}) differ from the native ones ({checksum})");
            }

            table.Add(($"score gsm8k as a custom reward file, Python pool of {workers} worker(s), all queued",
                $"{requests.Count / seconds:F0} samples/s ({nativeRate / (requests.Count / seconds):F0}x slower than native; " +
                $"mean batch {(double)requests.Count / (pool.MessagesSent - sent):F0}; pool start {startMs:F0} ms)"));

            if (workers == 1)
            {
                // A sample at a time, each awaited: the round trip a lone sample pays.
                var single = requests.Take(2000).ToList();
                watch.Restart();
                foreach (var request in single)
                {
                    await pool.ScoreAsync(request);
                }

                var perSample = watch.Elapsed.TotalSeconds / single.Count;
                table.Add(("  same pool, one sample per message, each awaited", $"{1 / perSample:F0} samples/s ({perSample * 1e6:F0} µs round trip)"));
            }
        }

        return table;
    }
}
