using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Grains.Hosting;

namespace VerlOrleans.Grains.Runs;

/// <summary>
/// How a run's status travels: persisted on state changes (and live progress every few seconds by the lease holder),
/// pushed to observers and its sweep at most four times a second, and told to the catalog.
/// </summary>
public sealed partial class EvaluationRunGrain
{
    public Task SubscribeAsync(IRunObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(IRunObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    private async Task UpdateAsync(Func<RunStatus, RunStatus> change)
    {
        state.State.Status = change(Status);
        try
        {
            await state.WriteStateAsync();
        }
        catch (Orleans.Storage.InconsistentStateException) when (_lease is not null)
        {
            // Another activation of this run wrote meanwhile. This one holds the lease, so it executes the run: apply
            // the change to what is stored now and write again.
            await state.ReadStateAsync();
            state.State.Status = change(Status);
            await state.WriteStateAsync();
        }

        _persistedAt = clock.GetUtcNow();
        await TrackAsync();
    }

    /// <summary>Tells the catalog; a catalog lost with its silo hears of this run at the next publish instead.</summary>
    private async Task TrackAsync()
    {
        if (_deleting || state.State.Status is null)
        {
            // A deleted run's last publish must not put it back in the catalog.
            return;
        }

        try
        {
            await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey).TrackRunAsync(RunSummary.Of(Status));
        }
        catch (Exception e) when (ClusterRetry.IsTransient(e))
        {
            _published = null;
            LogCatalogUnreachable(logger, RunId, e.Message);
        }
    }

    /// <summary>Sends the status to observers and the sweep when it changed; persists live progress every few seconds.</summary>
    private async Task PublishAsync(CancellationToken cancellationToken)
    {
        if (_execution is not null)
        {
            // Timer ticks do not count as use: a long run must not be collected as idle while its pipeline works.
            DelayDeactivation(TimeSpan.FromMinutes(1));
        }

        var status = Status;
        if (status == _published || state.State.Status is null)
        {
            return;
        }

        _published = status;
        if (status.State == RunState.Running || status.State.IsFinished())
        {
            _throughput.Record(clock.GetUtcNow(), status.Progress, final: status.State.IsFinished());
        }

        // Not awaited: a slow or gone observer must not hold up the run; Notify drops observers whose calls fail.
        _ = _observers.Notify((Func<IRunObserver, Task>)(o => o.OnRunStatusAsync(status)));
        if (status.SweepId is { } sweepId)
        {
            await GrainFactory.GetGrain<ISweepGrain>(sweepId).OnRunStatusAsync(status);
        }

        // The catalog keeps progress in memory for the live lists; it persists state changes only.
        await TrackAsync();

        // Only the activation executing the run (holding its lease) writes its progress: a second activation of the same
        // run (after a silo died, or while this one's silo stops) would otherwise overwrite the executor's state.
        if (status.State == RunState.Running && _lease is not null && clock.GetUtcNow() - _persistedAt > TimeSpan.FromSeconds(5))
        {
            await UpdateAsync(s => s with { Progress = status.Progress });
        }
    }
}
