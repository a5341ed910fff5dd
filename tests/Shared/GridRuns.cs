using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using ResultsFolder = VerlOrleans.Evaluation.Results.ResultsFolder;
using ResultsReader = VerlOrleans.Evaluation.Results.ResultsReader;

namespace VerlOrleans.Testing;

/// <summary>Run specs over verl's real gsm8k test file, and helpers to wait for runs and read their results.</summary>
public static class GridRuns
{
    public static string Gsm8k
    {
        get
        {
            var shared = RepositoryPaths.SharedFolder
                ?? throw new InvalidOperationException("../shared (verl's real gsm8k/MATH parquet files) is missing next to the checkout; CI provides it");
            return Path.Combine(shared, "data", "verl-data", "gsm8k_test.parquet");
        }
    }

    /// <summary>Greedy decoding of the first <paramref name="samples"/> gsm8k rows: deterministic whatever else runs.</summary>
    public static RunSpec Greedy(string checkpoint, int samples, int maxTokens = 16) => new()
    {
        Checkpoint = checkpoint,
        DataFiles = [Gsm8k],
        MaxSamples = samples,
        Sampling = new SamplingSettings { Temperature = 0, MaxTokens = maxTokens },
        Prompt = new PromptSettings { MaxPromptLength = 512, Truncation = "left" },
        BatchSize = 8,
    };

    public static async Task<RunStatus> WaitFinishedAsync(IEvaluationRunGrain run, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(3));
        while (true)
        {
            var status = await run.GetStatusAsync();
            if (status.State.IsFinished())
            {
                return status;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"run {status.RunId} still {status.State} ({status.Progress.SamplesDone}/{status.Progress.SamplesTotal}) after the timeout");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Starts <paramref name="spec"/> as run <paramref name="runId"/> and waits for it to complete (failing otherwise).</summary>
    public static async Task<RunStatus> CompleteAsync(IGrainFactory grains, string runId, RunSpec spec)
    {
        var run = grains.GetGrain<IEvaluationRunGrain>(runId);
        await run.StartAsync(spec);
        var status = await WaitFinishedAsync(run);
        return status.State == RunState.Completed ? status : throw new InvalidOperationException($"run {runId} ended {status.State}: {status.Error}");
    }

    /// <summary>Response texts by (uid, sample index).</summary>
    public static async Task<Dictionary<(string Uid, int Sample), string>> ResponsesAsync(RunStatus status)
    {
        var results = await ResultsReader.ReadJsonlAsync(Path.Combine(status.ResultsDirectory!, ResultsFolder.ResultsJsonlFile));
        return results.ToDictionary(r => (r.Uid, r.SampleIndex), r => r.ResponseText);
    }
}
