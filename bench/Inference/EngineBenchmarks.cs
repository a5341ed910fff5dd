using System.Diagnostics;
using VerlOrleans.Inference.Engine;
using VerlOrleans.Inference.Sampling;
using VerlOrleans.Inference.Scheduling;

namespace VerlOrleans.Bench.Inference;

/// <summary>Throughput of the real engine (scheduler, runner, sampler) on the loaded model.</summary>
internal static class EngineBenchmarks
{
    /// <summary>
    /// Decode tokens/s with <paramref name="batch"/> concurrent greedy requests: two runs generating 8 and
    /// 8 + <paramref name="decodeTokens"/> tokens from the same prompts, so prefill and start-up cancel out.
    /// </summary>
    public static async Task<double> DecodeRate(IModelRunner runner, int batch, int prompt, int decodeTokens)
    {
        var shortRun = await TimeRequests(runner, Prompts(batch, prompt), 8);
        var longRun = await TimeRequests(runner, Prompts(batch, prompt), 8 + decodeTokens);
        return batch * decodeTokens / (longRun - shortRun);
    }

    /// <summary>
    /// Generated tokens per second over a mixed workload: <paramref name="lengths"/>[i] tokens wanted by request i,
    /// all submitted at once, served with continuous batching, or in arrival-order batches that wait for their
    /// longest sequence. <paramref name="padFinishedRows"/> makes static batching compute every row until the batch
    /// ends, as Hugging Face generate does; the tokens a request did not want are not counted.
    /// </summary>
    public static async Task<(double TokensPerSecond, double Seconds)> Workload(IModelRunner runner, IReadOnlyList<int> prompts, IReadOnlyList<int> lengths,
        int batch, BatchingPolicy policy, bool padFinishedRows)
    {
        var requests = new List<GenerationRequest>();
        for (var i = 0; i < lengths.Count; i++)
        {
            var wanted = lengths[i];
            if (padFinishedRows)
            {
                var first = i / batch * batch;
                wanted = lengths.Skip(first).Take(batch).Max();
            }

            requests.Add(Greedy(Prompt(i, prompts[i]), wanted));
        }

        await using var engine = InferenceEngine.Start(() => new SharedRunner(runner), new EngineOptions { MaxBatchSize = batch, Policy = policy });
        await engine.Ready;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(requests.Select(r => engine.GenerateAsync(r)));
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return (lengths.Sum() / seconds, seconds);
    }

    private static async Task<double> TimeRequests(IModelRunner runner, IReadOnlyList<int[]> prompts, int tokens)
    {
        await using var engine = InferenceEngine.Start(() => new SharedRunner(runner), new EngineOptions { MaxBatchSize = prompts.Count });
        await engine.Ready;
        var start = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(prompts.Select(p => engine.GenerateAsync(Greedy(p, tokens))));
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (results.Any(r => r.Sequences[0].TokenIds.Count != tokens))
        {
            throw new InvalidOperationException("a benchmark request stopped early");
        }

        return seconds;
    }

    private static GenerationRequest Greedy(int[] prompt, int tokens) =>
        new(prompt, new SamplingParams { Temperature = 0, MaxTokens = tokens, IgnoreEos = true });

    private static List<int[]> Prompts(int count, int length) => Enumerable.Range(0, count).Select(i => Prompt(i, length)).ToList();

    private static int[] Prompt(int seed, int length) => Enumerable.Range(0, length).Select(t => (seed * 7919 + t * 104729) % 150000).ToArray();
}
