using System.Diagnostics;
using System.Globalization;
using VerlOrleans.Silo.Hosting;
using VerlOrleans.Testing.Servers;

namespace VerlOrleans.Bench.Grid;

/// <summary>
/// What the cluster path costs: the grid benchmark's concurrent runs, and short runs whose time is mostly grain calls
/// and state writes, on an in-process silo with the embedded default (localhost membership, state in local files)
/// and with Redis membership and state (a real redis-server on loopback), alternating rounds in one process.
/// Two silos on one 2-core machine say nothing about speed; this says what moving state to a store costs.
/// </summary>
internal static class ProviderOverheadBenchmark
{
    private static readonly string[] Providers = [ClusterSettings.LocalhostProvider, ClusterSettings.RedisProvider];

    public static async Task RunAsync(GridBenchOptions options)
    {
        BenchModel.EnsureWritten(options.ModelFolder, options.Seed);
        var redis = new RedisServer();
        await redis.InitializeAsync();
        var work = Path.Combine(Path.GetTempPath(), $"verlorleans-provider-bench-{Environment.ProcessId}");
        var concurrent = Providers.ToDictionary(p => p, _ => new List<double>());
        var shortRuns = Providers.ToDictionary(p => p, _ => new List<double>());
        try
        {
            Console.Error.WriteLine($"{options.Rounds} rounds; each: {options.Runs} concurrent runs x {options.Prompts} prompts x {options.MaxTokens} tokens, then {options.TtftTrials} one-token runs");
            for (var round = 0; round < options.Rounds; round++)
            {
                // Alternate which provider goes first, so a machine slowing down over the run weighs on both.
                foreach (var provider in round % 2 == 0 ? Providers : Providers.Reverse())
                {
                    await using var silo = await InProcessSilo.StartAsync(Path.Combine(work, $"{provider}-{round}"), options.Runs * options.BatchSize,
                        options.MaxPromptLength + options.MaxTokens, provider, provider == ClusterSettings.RedisProvider ? redis.ConnectionString : null);
                    await GridBenchmark.WaitCompletedAsync(silo, await GridBenchmark.SubmitAsync(silo, options, options.EvaluationArguments(-1, prompts: 1, maxTokens: 1)));

                    var clock = Stopwatch.StartNew();
                    var ids = await Task.WhenAll(Enumerable.Range(0, options.Runs).Select(i => GridBenchmark.SubmitAsync(silo, options, options.EvaluationArguments(i, options.Prompts, options.MaxTokens))));
                    await Task.WhenAll(ids.Select(id => GridBenchmark.WaitCompletedAsync(silo, id)));
                    concurrent[provider].Add(clock.Elapsed.TotalSeconds);

                    for (var trial = 0; trial < options.TtftTrials; trial++)
                    {
                        clock.Restart();
                        await GridBenchmark.WaitCompletedAsync(silo, await GridBenchmark.SubmitAsync(silo, options, options.EvaluationArguments(100 + trial, prompts: 1, maxTokens: 1)));
                        shortRuns[provider].Add(clock.Elapsed.TotalMilliseconds);
                    }

                    Console.Error.WriteLine($"  round {round + 1} {provider}: concurrent {concurrent[provider][^1]:F1} s, one-token runs {string.Join(" / ", shortRuns[provider].TakeLast(options.TtftTrials).Select(m => m.ToString("F0", CultureInfo.InvariantCulture)))} ms");
                }
            }
        }
        finally
        {
            await redis.DisposeAsync();
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }

        double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        var local = ClusterSettings.LocalhostProvider;
        var remote = ClusterSettings.RedisProvider;
        Console.WriteLine();
        Console.WriteLine("| what | Localhost (local files) | Redis (membership + state) | Redis / Localhost |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {options.Runs} concurrent runs x {options.Prompts} prompts x {options.MaxTokens} tokens, warm model (median of {options.Rounds}) | {Median(concurrent[local]):F2} s | {Median(concurrent[remote]):F2} s | {Median(concurrent[remote]) / Median(concurrent[local]):F3} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| one-prompt one-token run, submit to completed (median of {shortRuns[local].Count}) | {Median(shortRuns[local]):F0} ms | {Median(shortRuns[remote]):F0} ms | {Median(shortRuns[remote]) / Median(shortRuns[local]):F3} |"));
    }
}
