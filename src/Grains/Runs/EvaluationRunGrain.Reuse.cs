using Microsoft.Extensions.Logging;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Evaluation.Results;

namespace VerlOrleans.Grains.Runs;

/// <summary>Runs that generate nothing: those the results cache answers, and imports of what verl already wrote.</summary>
public sealed partial class EvaluationRunGrain
{
    /// <summary>Completes the run from an earlier one with the same settings, if the cache has one (before any model loads).</summary>
    private async Task<bool> AnsweredFromCacheAsync(RunSpec spec, CheckpointStatus checkpoint, CancellationToken token)
    {
        var directory = state.State.Status!.ResultsDirectory!;
        if (await Task.Run(() => executor.TryReuseAsync(spec, checkpoint.ModelPath!, checkpoint.ContentHash!, directory, RunId, token), token) is not { } reused)
        {
            return false;
        }

        var samples = await CountSamplesAsync(directory, token);
        await UpdateAsync(s => s with
        {
            ModelKey = ModelKeys.For(checkpoint.ContentHash!, spec.DType),
            Step = checkpoint.Step,
            StartedAt = clock.GetUtcNow(),
            Metrics = reused.Metrics,
            ReusedFrom = reused.ReusedFrom,
            Progress = new RunProgress { SamplesDone = samples, SamplesTotal = samples },
        });
        LogReused(logger, RunId, reused.ReusedFrom);
        await FinishAsync(RunState.Completed, null);
        return true;
    }

    private async Task ImportAsync(RunSpec spec, CancellationToken token)
    {
        await UpdateAsync(s => s with { State = RunState.Running, StartedAt = s.StartedAt ?? clock.GetUtcNow() });
        // Read here: the grain's state is not for the thread pool.
        var directory = state.State.Status!.ResultsDirectory!;
        var (metrics, outcome, progress) = await Task.Run(() => executor.ImportAsync(spec, directory, token), token);
        Volatile.Write(ref _live, progress);
        await UpdateAsync(s => s with
        {
            Metrics = metrics,
            Step = outcome.Step ?? s.Step,
            Progress = progress,
            ImportDisagreements = outcome.Disagreements.Count,
            ImportRejected = outcome.Rejected.Count,
        });
        await FinishAsync(RunState.Completed, null);
    }

    private static async Task<int> CountSamplesAsync(string directory, CancellationToken token) =>
        (await ResultsReader.ReadJsonlAsync(Path.Combine(directory, ResultsFolder.ResultsJsonlFile), cancellationToken: token)).Count;

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} answered from the results cache: run {ReusedFrom} had the same settings")]
    private static partial void LogReused(ILogger logger, string runId, string reusedFrom);
}
