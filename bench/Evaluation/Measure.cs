using System.Diagnostics;
using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Evaluation.Rewards;

namespace VerlOrleans.Bench.Evaluation;

/// <summary>The timed parts of the benchmark.</summary>
internal static class Measure
{
    public static async Task<(long Rows, double Seconds)> ReadAllAsync(string path)
    {
        var watch = Stopwatch.StartNew();
        var dataset = await VerlDataset.OpenAsync([path]);
        var rows = 0L;
        await foreach (var _ in dataset.ReadAsync())
        {
            rows++;
        }

        return (rows, watch.Elapsed.TotalSeconds);
    }

    /// <summary>Reads every row; once per 5000 rows forces a full GC and records the live managed heap.</summary>
    public static async Task<(long Rows, double Seconds, long PeakLiveHeapBytes)> ReadAllWithPeakLiveHeapAsync(string path)
    {
        var peak = 0L;
        var collecting = TimeSpan.Zero;
        var watch = Stopwatch.StartNew();
        var dataset = await VerlDataset.OpenAsync([path]);
        var rows = 0L;
        await foreach (var _ in dataset.ReadAsync())
        {
            if (++rows % 5000 == 2500)
            {
                var gc = Stopwatch.StartNew();
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
                collecting += gc.Elapsed;
            }
        }

        return (rows, (watch.Elapsed - collecting).TotalSeconds, peak);
    }

    public static (long Count, double Seconds) Score(IReadOnlyList<RewardRequest> requests, int repeat)
    {
        var registry = RewardRegistry.CreateDefault();
        var checksum = 0.0;
        var watch = Stopwatch.StartNew();
        for (var r = 0; r < repeat; r++)
        {
            foreach (var request in requests)
            {
                checksum += registry.Score(request).Score;
            }
        }

        GC.KeepAlive(checksum);
        return ((long)requests.Count * repeat, watch.Elapsed.TotalSeconds);
    }

    public static async Task<(int Count, double Seconds)> AppendResultsAsync(string folder, int count)
    {
        var manifest = new RunManifest
        {
            Inputs = [],
            Dataset = new DatasetSelection("prompt", "data_source", "reward_model", -1, false, null, count, count),
            Reward = new RewardSettings("naive"),
        };
        var response = string.Concat(Enumerable.Repeat("Let's compute step by step. 48 / 2 = 24. ", 12)) + "#### 72";
        var watch = Stopwatch.StartNew();
        await using (var writer = await ResultsWriter.OpenAsync(folder, manifest))
        {
            for (var i = 0; i < count; i++)
            {
                await writer.AppendAsync(new SampleResult
                {
                    Uid = $"u{i / 4}",
                    SampleIndex = i % 4,
                    Position = i / 4,
                    DataSource = "openai/gsm8k",
                    PromptText = "<|im_start|>user\nNatalia sold clips to 48 of her friends in April...<|im_end|>\n<|im_start|>assistant\n",
                    ResponseText = response,
                    PromptTokens = 120,
                    ResponseTokens = 130,
                    FinishReason = "stop",
                    GroundTruth = System.Text.Json.Nodes.JsonValue.Create("72"),
                    Score = 1.0,
                    RewardExtras = [],
                });
            }

            await writer.CompleteAsync();
        }

        return (count, watch.Elapsed.TotalSeconds);
    }
}
