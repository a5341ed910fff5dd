using Microsoft.Extensions.Logging;
using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Grains.Runs;

/// <summary>Deleting a finished run (kept apart from the run's execution, which it never overlaps).</summary>
public sealed partial class EvaluationRunGrain
{
    private bool _deleting;

    public async Task<bool> DeleteAsync()
    {
        if (_deleting)
        {
            throw new InUseException($"run '{RunId}' is being deleted");
        }

        if (_execution is { } execution)
        {
            if (!Status.State.IsFinished())
            {
                throw new InUseException($"run '{RunId}' is {Status.State.ToString().ToLowerInvariant()}; cancel it first");
            }

            // It finished a moment ago and is only letting go of its lease.
            await execution.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }

        // Another activation may have written since this one read (it executed the run after a silo died).
        await state.ReadStateAsync();
        if (state.State.Status is not { Spec: not null } status)
        {
            return false;
        }

        if (!status.State.IsFinished())
        {
            throw new InUseException($"run '{RunId}' is {status.State.ToString().ToLowerInvariant()}; cancel it first");
        }

        if (status.SweepId is { } sweepId && await GrainFactory.GetGrain<ISweepGrain>(sweepId).GetStatusAsync() is { Spec: not null, IsFinished: false })
        {
            throw new InUseException($"run '{RunId}' belongs to sweep '{sweepId}', which is still running; cancel the sweep first");
        }

        // Before the lease, which would create its file next to a folder that is not the grid's.
        RunFolders.RequireRunFolder(status.ResultsDirectory!, options.Value.RunsDirectory);
        _deleting = true;
        try
        {
            // The lease proves no activation anywhere still executes (or drains) this run and writes into its folder.
            using (var lease = await RunLease.AcquireAsync(status.ResultsDirectory!, TimeSpan.Zero, clock, CancellationToken.None)
                ?? throw new InUseException($"run '{RunId}' is still held by another silo; try again once it lets go"))
            {
                // Out of the cache first: no later run may be answered from a folder being deleted.
                await GrainFactory.GetGrain<IResultsCacheGrain>(0).ForgetRunAsync(RunId);
                _samples?.Dispose();
                _samples = null;
                await Task.Run(() => RunFolders.Delete(status.ResultsDirectory!, options.Value.RunsDirectory));
            }

            // Deleted only once let go: an open file cannot be deleted everywhere.
            RunFolders.DeleteLease(status.ResultsDirectory!);

            // Catalog before state: a deletion cut off between the two leaves a run that can be deleted again, never a
            // listed run without a grain behind it.
            await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey).ForgetRunAsync(RunId);
            state.State.Status = null;
            await state.ClearStateAsync();
            LogDeleted(logger, RunId, status.ResultsDirectory!);
        }
        finally
        {
            _deleting = false;
        }

        // A run started again under this id gets a fresh activation: no throughput history or published status left.
        _published = null;
        DeactivateOnIdle();
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} deleted with its results folder {Folder}")]
    private static partial void LogDeleted(ILogger logger, string runId, string folder);
}
