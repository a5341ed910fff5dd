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

    /// <summary>
    /// Where one batch-1 decode step's time goes: the same two greedy requests as <see cref="DecodeRate"/> with a
    /// <see cref="StepProfile"/> attached, differenced, per generated token; the engine's own share (scheduling, the
    /// hand-off to its thread, detokenizing, completing the request) is the wall time no part accounts for.
    /// </summary>
    public static async Task<(IReadOnlyList<(string Part, double Seconds)> Parts, double WallSeconds)> ProfileDecode(IModelRunner runner, int prompt, int decodeTokens)
    {
        var profile = new StepProfile();
        StepProfile.Active = profile;
        try
        {
            var shortWall = await TimeRequests(runner, Prompts(1, prompt), 8);
            var shortParts = profile.Totals.ToDictionary(p => p.Part, p => p.Total.TotalSeconds);
            profile.Reset();
            var longWall = await TimeRequests(runner, Prompts(1, prompt), 8 + decodeTokens);
            // A part's decode cost is the difference of two runs' totals; one that costs next to nothing per token can
            // come out a hair below zero from timer noise, and is shown as zero.
            var parts = profile.Totals.Select(p => (p.Part, Math.Max(0, (p.Total.TotalSeconds - shortParts.GetValueOrDefault(p.Part)) / decodeTokens))).ToList();
            return (parts, (longWall - shortWall) / decodeTokens);
        }
        finally
        {
            StepProfile.Active = null;
        }
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
