// Evaluation benchmarks: prints one table row per measurement.
//
//   dotnet run -c Release --project bench/Evaluation -- [--data DIR] [--verl DIR] [--work DIR] [--large-rows N]
//
// --data   folder with verl's gsm8k_test.parquet and math_test.parquet (default ../shared/data/verl-data)
// --verl   a verl folder as tests/Evaluation/Golden/generate.py takes it: adds the same workloads run by verl's
//          own Python code (/usr/bin/python3) to the table, measured in the same run, for ratios
// --work   scratch folder for the synthetic dataset and result files (default: a temp folder, deleted after)
// --large-rows  rows (about 2 KB each) of the synthetic parquet dataset for the streaming-memory row (default 100000)
// --rewards-only  only the reward-pool rows: gsm8k native, through the Python pool, and prime_code in the sandbox
using System.Diagnostics;
using VerlOrleans.Bench.Evaluation;
using VerlOrleans.Evaluation.Metrics;
using VerlOrleans.Evaluation.Rewards;

var arguments = BenchArguments.Parse(args);
var table = new List<(string What, string Result)>();
Directory.CreateDirectory(arguments.Work);
try
{
    if (arguments.RewardsOnly)
    {
        await AddRewardPoolRowsAsync();
        PrintTable();
        return;
    }

    // 1. Reading verl's real parquet files end to end.
    foreach (var name in new[] { "gsm8k_test.parquet", "math_test.parquet" })
    {
        var path = Path.Combine(arguments.Data, name);
        var (rows, seconds) = await Measure.ReadAllAsync(path);
        table.Add(($"read {name} (open+hash+all rows)", $"{rows} rows in {seconds * 1000:F0} ms = {rows / seconds:F0} rows/s"));
    }

    // 2. Streaming: a synthetic dataset far larger than one row group, read with the managed heap sampled.
    var large = Path.Combine(arguments.Work, "large.parquet");
    await SyntheticData.WriteParquetAsync(large, arguments.LargeRows, rowGroupSize: 5000);
    var largeBytes = new FileInfo(large).Length;
    var (largeRows, largeSeconds, peakLive) = await Measure.ReadAllWithPeakLiveHeapAsync(large);
    table.Add(($"read synthetic {largeBytes / 1e6:F0} MB parquet ({arguments.LargeRows} rows, 5000/row group)",
        $"{largeRows / largeSeconds:F0} rows/s, {largeBytes / 1e6 / largeSeconds:F0} MB/s; live heap peak {peakLive / 1e6:F0} MB (sampled per row group)"));

    // 3. Rewards over the golden corpus (every response verl scored), repeated.
    var corpus = SyntheticData.RewardCorpus(arguments.GoldenRewards);
    foreach (var group in corpus.GroupBy(c => RewardRegistry.CreateDefault().Resolve(c.DataSource).Name))
    {
        var requests = group.ToList();
        var (count, seconds) = Measure.Score(requests, repeat: 20);
        table.Add(($"score {group.Key} ({requests.Count} golden responses x20)", $"{count / seconds:F0} responses/s"));
    }

    // 4. Metrics: math_dapo-like samples (reward/score ±1, acc, pred) at several (prompts, n); verl's own code on the
    //    smaller shapes only (its bootstrap is pure Python and takes minutes on the large ones).
    foreach (var (prompts, n, compare) in new[] { (1319, 16, false), (300, 16, true), (5000, 1, true), (500, 64, false) })
    {
        var samples = SyntheticData.MetricSamples(prompts, n);
        var watch = Stopwatch.StartNew();
        var metrics = ValidationMetrics.Compute(samples);
        var seconds = watch.Elapsed.TotalSeconds;
        table.Add(($"metrics {prompts} prompts x n={n} ({metrics.Count} metrics)", $"{seconds * 1000:F0} ms"));
        if (compare && arguments.Verl is not null)
        {
            var python = PythonReference.MetricsSeconds(arguments.Verl, prompts, n);
            table.Add(($"  same samples, verl's process_validation_metrics (Python)", $"{python * 1000:F0} ms ({python / seconds:F1}x the C# time)"));
        }
    }

    if (arguments.Verl is not null)
    {
        var python = PythonReference.ScoreSeconds(arguments.Verl, arguments.GoldenRewards, repeat: 20);
        var (count, seconds) = Measure.Score(corpus, repeat: 20);
        table.Add(($"score whole golden corpus x20: C# vs verl (Python)", $"C# {count / seconds:F0}/s, Python {count / python:F0}/s ({python / seconds:F1}x)"));
    }

    // 5. Custom reward files: verl's gsm8k rule through the Python worker pool vs the native scorer; code rewards in the sandbox.
    await AddRewardPoolRowsAsync();

    // 6. Appending results (JSON Lines flushed per sample + Parquet row groups of 512).
    var (appended, appendSeconds) = await Measure.AppendResultsAsync(Path.Combine(arguments.Work, "run"), 20000);
    table.Add(($"append {appended} results (jsonl flush each + parquet) + metrics.json", $"{appended / appendSeconds:F0} results/s"));
}
finally
{
    if (arguments.DeleteWork)
    {
        Directory.Delete(arguments.Work, recursive: true);
    }
}

PrintTable();

async Task AddRewardPoolRowsAsync()
{
    table.AddRange(await PythonRewardBench.RunAsync(Path.Combine(arguments.Data, "gsm8k_test.parquet"),
        Path.Combine(arguments.Root, "tests", "Evaluation", "Rewards", "Python", "Files", "gsm8k_reward.py"), repeat: 10));
    table.AddRange(await CodeRewardBench.RunAsync(Path.Combine(arguments.Root, "tests", "Evaluation", "Golden", "prime_code.jsonl"), repeat: 3));
}

void PrintTable()
{
    var width = table.Max(r => r.What.Length);
    Console.WriteLine($"| {"measurement".PadRight(width)} | result |");
    Console.WriteLine($"|{new string('-', width + 2)}|--------|");
    foreach (var (what, result) in table)
    {
        Console.WriteLine($"| {what.PadRight(width)} | {result} |");
    }

    Console.WriteLine($"\n{Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:u}");
}
