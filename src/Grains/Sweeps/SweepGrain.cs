using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Utilities;
using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Grains.Hosting;
using VerlOrleans.Grains.Inputs;
using VerlOrleans.Evaluation.Imports;

namespace VerlOrleans.Grains.Sweeps;

/// <summary>
/// Many checkpoints × one dataset. Expands run folders into their global_step_N checkpoints, starts one run per
/// checkpoint (at most <see cref="SweepSpec.MaxConcurrentRuns"/> at once, the rest queued), and keeps the
/// comparison table current from its runs' updates.
/// </summary>
[Reentrant]
public sealed partial class SweepGrain(
    [PersistentState("sweep", GridSiloBuilderExtensions.StorageName)] IPersistentState<SweepGrainState> state,
    PathRoots roots,
    TimeProvider clock,
    ILogger<SweepGrain> logger) : Grain, ISweepGrain
{
    private readonly ObserverManager<ISweepObserver> _observers = new(TimeSpan.FromMinutes(2), logger);
    private SweepStatus? _published;
    private bool _deleting;

    private string SweepId => this.GetPrimaryKeyString();

    private SweepStatus Status => state.State.Status ?? new SweepStatus { SweepId = SweepId };

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromMilliseconds(250);
        this.RegisterGrainTimer(PublishAsync, new GrainTimerCreationOptions(period, period) { Interleave = true });
        if (!Status.IsFinished)
        {
            // After a restart or a lost silo: queued runs start again as soon as the sweep is touched. Not part of the
            // activation itself, which must not fail because a run's silo is still being declared dead.
            this.RegisterGrainTimer(ResumeQueueAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true });
        }

        return Task.CompletedTask;
    }

    public async Task<SweepStatus> StartAsync(SweepSpec spec)
    {
        if (_deleting)
        {
            throw new InUseException($"sweep '{SweepId}' is being deleted; start it again once it is gone");
        }

        if (state.State.Status is { Spec: not null })
        {
            return Status;
        }

        // Refused before any state exists when a checkpoint or dataset lies outside the roots (403). verl's outputs that
        // an import reads lie with the data.
        var outside = spec.Checkpoints.Select((path, i) => (Index: i, Problem: spec.Template.Import is null ? roots.CheckpointProblem(path) : roots.DataFileProblem(path)))
            .Where(c => c.Problem is not null)
            .Select(c => new FieldError($"checkpoints[{c.Index}]", c.Problem!))
            .ToList();
        try
        {
            roots.Require(null, spec.Template.DataFiles, "template.", spec.Template.RewardPath);
        }
        catch (RequestRefusedException refused)
        {
            outside.AddRange(refused.Errors);
        }

        if (outside.Count > 0)
        {
            throw new RequestRefusedException(outside, 403);
        }

        var catalog = GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey);
        var rows = new List<SweepRow>();
        string? error = null;
        try
        {
            // An import sweep: one run per validation dump (<global_step>.jsonl) of each folder, nothing to register.
            foreach (var step in spec.Template.Import is null ? [] : spec.Checkpoints.SelectMany(ImportSource.ForValidationFolder))
            {
                rows.Add(new SweepRow { Checkpoint = step.Path, Step = step.Step, RunId = $"{SweepId}-{rows.Count + 1:D3}", State = RunState.Pending });
            }

            foreach (var path in spec.Template.Import is null ? spec.Checkpoints : [])
            {
                foreach (var key in await catalog.RegisterCheckpointsAsync(path))
                {
                    var checkpoint = await GrainFactory.GetGrain<ICheckpointGrain>(key).GetStatusAsync();
                    rows.Add(new SweepRow { Checkpoint = key, Step = checkpoint.Step, RunId = $"{SweepId}-{rows.Count + 1:D3}", State = RunState.Pending });
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = e.Message;
        }

        state.State.Status = new SweepStatus
        {
            SweepId = SweepId,
            Spec = spec,
            Rows = rows.OrderBy(r => r.Step ?? long.MaxValue).ThenBy(r => r.Checkpoint, StringComparer.Ordinal).ToList(),
            CreatedAt = clock.GetUtcNow(),
            Error = error ?? (rows.Count == 0 ? "no checkpoints found" : null),
        };
        await state.WriteStateAsync();
        await TrackAsync();
        await StartQueuedRunsAsync();
        return Status;
    }

    public Task<SweepStatus> GetStatusAsync() => Task.FromResult(Status);

    public async Task<SweepStatus> CancelAsync()
    {
        foreach (var row in Status.Rows.Where(r => !r.State.IsFinished()))
        {
            var run = await GrainFactory.GetGrain<IEvaluationRunGrain>(row.RunId).CancelAsync();
            await OnRunStatusAsync(run.State == RunState.Pending ? run with { State = RunState.Cancelled } : run);
        }

        return Status;
    }

    public async Task<bool> DeleteAsync()
    {
        if (_deleting)
        {
            throw new InUseException($"sweep '{SweepId}' is being deleted");
        }

        var status = Status;
        if (status.Spec is null)
        {
            return false;
        }

        // Decided by the runs themselves: a row can lag a moment behind its run's own state (the run tells the sweep at its
        // next publish), and a user who just watched every run finish must not be told the sweep is still running.
        // A row whose run has not started yet (queued by the sweep) is still work the sweep will start.
        if (status.Rows.Count == 0 && status.Error is null)
        {
            throw new InUseException($"sweep '{SweepId}' is still starting; cancel it first");
        }

        var runs = await Task.WhenAll(status.Rows.Select(r => GrainFactory.GetGrain<IEvaluationRunGrain>(r.RunId).GetStatusAsync()));
        var unfinished = status.Rows.Zip(runs).Where(p => p.Second.Spec is null ? !p.First.State.IsFinished() : !p.Second.State.IsFinished()).ToList();
        if (unfinished.Count > 0)
        {
            throw new InUseException($"sweep '{SweepId}' is still running ({status.Rows.Count - unfinished.Count} of {status.Rows.Count} runs finished; run '{unfinished[0].First.RunId}' is {(unfinished[0].Second.Spec is null ? unfinished[0].First.State : unfinished[0].Second.State).ToString().ToLowerInvariant()}); cancel it first");
        }

        // The rows catch up with the runs first: each run, asked to go, checks that its sweep has finished.
        foreach (var run in runs.Where(r => r.Spec is not null))
        {
            await OnRunStatusAsync(run);
        }

        status = Status;

        _deleting = true;
        try
        {
            foreach (var row in status.Rows)
            {
                await GrainFactory.GetGrain<IEvaluationRunGrain>(row.RunId).DeleteAsync();
            }

            await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey).ForgetSweepAsync(SweepId);
            state.State.Status = null;
            await state.ClearStateAsync();
            LogDeleted(logger, SweepId, status.Rows.Count);
        }
        finally
        {
            _deleting = false;
        }

        _published = null;
        DeactivateOnIdle();
        return true;
    }

    public async Task OnRunStatusAsync(RunStatus status)
    {
        if (_deleting)
        {
            // Its runs are going; their last updates must not write the sweep back.
            return;
        }

        var rows = Status.Rows.ToList();
        var index = rows.FindIndex(r => r.RunId == status.RunId);
        if (index < 0)
        {
            return;
        }

        var before = rows[index];
        rows[index] = before with
        {
            State = status.State,
            Step = status.Step ?? before.Step,
            Fraction = status.Progress.Fraction,
            MeanScores = status.Progress.MeanScores,
            Metrics = status.Metrics,
            Error = status.Error,
        };
        state.State.Status = Status with { Rows = rows };
        if (before.State != status.State)
        {
            await state.WriteStateAsync();
            await TrackAsync();
            await StartQueuedRunsAsync();
        }
    }

    public Task SubscribeAsync(ISweepObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(ISweepObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    private async Task ResumeQueueAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StartQueuedRunsAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The run supervision touches the sweep again; its queue is retried then.
            LogQueueResumeFailed(logger, e, SweepId);
        }
    }

    private async Task StartQueuedRunsAsync()
    {
        var status = Status;
        if (status.Spec is null)
        {
            return;
        }

        var running = status.Rows.Count(r => r.State is not RunState.Pending && !r.State.IsFinished());
        var started = status.Rows.Where(r => r.State == RunState.Pending).Take(Math.Max(0, status.Spec.MaxConcurrentRuns - running)).ToList();
        foreach (var row in started)
        {
            var spec = status.Spec.Template with
            {
                Checkpoint = row.Checkpoint,
                Import = status.Spec.Template.Import is { } import ? import with { Path = row.Checkpoint } : null,
            };
            var run = await ClusterRetry.CallAsync(() => GrainFactory.GetGrain<IEvaluationRunGrain>(row.RunId).StartAsync(spec, SweepId), clock);
            // A run still Pending right after start counts as started: mark it so it is not started twice.
            await OnRunStatusAsync(run.State == RunState.Pending ? run with { State = RunState.Validating } : run);
        }
    }

    private Task TrackAsync() => ClusterRetry.CallAsync(() => GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey).TrackSweepAsync(new SweepSummary(
        SweepId, Status.Rows.Count, Status.IsFinished, Status.CreatedAt, Title(Status.Spec),
        Status.Rows.Count(r => r.State.IsFinished()), Status.Rows.Count(r => r.State == RunState.Failed))), clock);

    /// <summary>What the sweep compares: its run folder (or first checkpoint) by name, and how many more it has.</summary>
    private static string? Title(SweepSpec? spec) => spec?.Checkpoints switch
    {
        null or [] => null,
        [var only] => CheckpointNames.Display(only),
        [var first, ..] checkpoints => $"{CheckpointNames.Display(first)} + {checkpoints.Count - 1} more",
    };

    private Task PublishAsync(CancellationToken cancellationToken)
    {
        var status = Status;
        if (status != _published && state.State.Status is not null)
        {
            _published = status;
            _ = _observers.Notify((Func<ISweepObserver, Task>)(o => o.OnSweepStatusAsync(status)));
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweep {SweepId} deleted with its {Runs} runs")]
    private static partial void LogDeleted(ILogger logger, string sweepId, int runs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweep {SweepId}: could not start its queued runs yet")]
    private static partial void LogQueueResumeFailed(ILogger logger, Exception exception, string sweepId);
}
