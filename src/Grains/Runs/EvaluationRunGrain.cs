using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Utilities;
using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Grains.Checkpoints;
using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Grains.Hosting;
using VerlOrleans.Grains.Inputs;
using VerlOrleans.Grains.Models;
using VerlOrleans.Grains.Models.Placement;
using VerlOrleans.Grains.Storage;

namespace VerlOrleans.Grains.Runs;

/// <summary>
/// Drives one evaluation: checkpoint ready → model loaded → the evaluation pipeline on the thread pool, generating
/// through the model grain. The grain stays responsive (status, cancel) while the pipeline runs; progress goes to
/// observers and the sweep at most four times a second. Persisted, and resumable from its results folder: when its
/// silo stops, the run drains (calls in flight are written) and persists, and another silo's <see cref="RunResumer"/>
/// continues it; when its silo dies, the same happens from the last complete result line.
/// </summary>
[Reentrant]
public sealed partial class EvaluationRunGrain(
    [PersistentState("run", GridSiloBuilderExtensions.StorageName)] IPersistentState<RunGrainState> state,
    EvaluationRunExecutor executor,
    ModelEngineFactory engines,
    IOptions<GridOptions> options,
    ILocalSiloDetails silo,
    PathRoots roots,
    TimeProvider clock,
    ILogger<EvaluationRunGrain> logger) : Grain, IEvaluationRunGrain
{
    private static readonly TimeSpan StaleStatusRefresh = TimeSpan.FromSeconds(2);

    /// <summary>Beyond a stopping silo's grace period: how long a new activation waits for the old one's lease.</summary>
    private static readonly TimeSpan LeaseWaitMargin = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PublishInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private readonly ObserverManager<IRunObserver> _observers = new(TimeSpan.FromMinutes(2), logger);
    private CancellationTokenSource? _cancellation;
    private CancellationTokenSource? _drain;
    private RunLease? _lease;
    private bool _handingOff;
    private Task? _execution;
    private RunProgress? _live;
    private RunStatus? _published;
    private DateTimeOffset _persistedAt;
    private DateTimeOffset _readAt;
    private readonly ThroughputHistory _throughput = new();
    private RunSamples? _samples;

    private string RunId => this.GetPrimaryKeyString();

    private RunStatus Status
    {
        get
        {
            var status = state.State.Status ?? new RunStatus { RunId = RunId };
            return status.State == RunState.Running && Volatile.Read(ref _live) is { } live ? status with { Progress = live } : status;
        }
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(PublishAsync, new GrainTimerCreationOptions(PublishInterval, PublishInterval) { Interleave = true });
        return Task.CompletedTask;
    }

    /// <summary>
    /// A run still executing here (its silo is stopping) is handed off: no new calls, the calls in flight finish and are
    /// written, the state is persisted as still running. When the deactivation deadline comes first, the calls in flight
    /// are cancelled instead (their samples are generated again by whichever silo resumes the run).
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_execution is { } execution && _drain is { } drain)
        {
            _handingOff = true;
            LogHandingOff(logger, RunId, reason.ReasonCode, Volatile.Read(ref _live)?.SamplesDone ?? 0);
            await drain.CancelAsync();
            try
            {
                // Only a stopping silo waits for the calls in flight; any other deactivation (Orleans found a second
                // activation of this run after a silo died) hands off at once: the other activation is waiting.
                if (reason.ReasonCode != DeactivationReasonCode.ShuttingDown)
                {
                    await (_cancellation?.CancelAsync() ?? Task.CompletedTask);
                }

                await execution.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await (_cancellation?.CancelAsync() ?? Task.CompletedTask);
                await execution.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            }
        }

        _samples?.Dispose();
    }

    public async Task<RunStatus> StartAsync(RunSpec spec, string? sweepId = null)
    {
        if (_deleting)
        {
            throw new InUseException($"run '{RunId}' is being deleted; start it again once it is gone");
        }

        if (state.State.Status is { Spec: not null } existing)
        {
            return existing.Spec == spec || SameSpec(existing.Spec, spec)
                ? Status
                : throw new InvalidOperationException($"run '{RunId}' already exists with different settings");
        }

        // Refused before any state exists: a path outside the roots (403), no room for results (507). An import reads one
        // file verl wrote, which lies with the data.
        if (spec.Import is { } import)
        {
            roots.Require(null, [import.Path]);
        }
        else
        {
            roots.Require(spec.Checkpoint, spec.DataFiles, rewardPath: spec.RewardPath);
        }

        RequireFreeSpace();
        state.State.Status = new RunStatus
        {
            RunId = RunId,
            Spec = spec,
            State = RunState.Pending,
            SweepId = sweepId,
            CreatedAt = clock.GetUtcNow(),
            ResultsDirectory = Path.Combine(options.Value.RunsDirectory, FileGrainStorage.SafeFileName(RunId)),
        };
        await state.WriteStateAsync();
        await TrackAsync();
        _execution = ExecuteAsync();
        return Status;
    }

    private void RequireFreeSpace()
    {
        var minimum = options.Value.Limits.MinFreeDiskBytes;
        if (DiskSpace.FreeBytes(options.Value.RunsDirectory) is { } free && free < minimum)
        {
            throw new RequestRefusedException(
                [new FieldError("spec", $"only {free >> 20} MiB are free where results are written ({options.Value.RunsDirectory}); a run needs {minimum >> 20} MiB (VerlOrleans:Limits:MinFreeDiskBytes)")],
                507);
        }
    }

    /// <summary>
    /// The status. An activation that does not execute an unfinished run (it is executing elsewhere: a second activation
    /// after a silo died, or one waiting for the lease) answers what the executor last persisted, re-read at most every
    /// <see cref="StaleStatusRefresh"/>.
    /// </summary>
    public async Task<RunStatus> GetStatusAsync()
    {
        if (_lease is null && state.State.Status is { } stored && !stored.State.IsFinished() && stored.State != RunState.Pending
            && clock.GetUtcNow() - _readAt > StaleStatusRefresh)
        {
            _readAt = clock.GetUtcNow();
            await state.ReadStateAsync();
        }

        return Status;
    }

    public async Task<RunStatus> CancelAsync()
    {
        if (_cancellation is not null)
        {
            await _cancellation.CancelAsync();
        }
        else if (state.State.Status is { } status && !status.State.IsFinished())
        {
            await FinishAsync(RunState.Cancelled, null);
        }

        return Status;
    }

    public Task ResumeAsync()
    {
        if (_execution is null && state.State.Status is { Spec: not null } status && !status.State.IsFinished())
        {
            _execution = ExecuteAsync();
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ThroughputPoint>> GetThroughputAsync() => Task.FromResult(_throughput.Points);

    private async Task ExecuteAsync()
    {
        using var cancellation = new CancellationTokenSource();
        using var drain = new CancellationTokenSource();
        _cancellation = cancellation;
        _drain = drain;
        var token = cancellation.Token;
        var spec = state.State.Status!.Spec!;
        try
        {
            _lease = await RunLease.AcquireAsync(state.State.Status.ResultsDirectory!, options.Value.ShutdownGracePeriod + LeaseWaitMargin, clock, token);
            if (_lease is null)
            {
                LogSteppedAside(logger, RunId);
                DeactivateOnIdle();
                return;
            }

            // A previous owner may have written the state since this activation read it (its last progress, or the end).
            await state.ReadStateAsync();
            if (state.State.Status is not { Spec: not null } current || current.State.IsFinished())
            {
                return;
            }

            await UpdateAsync(s => s with
            {
                Silo = silo.SiloAddress.ToParsableString(),
                Resumes = s.State == RunState.Pending ? s.Resumes : s.Resumes + 1,
            });
            if (spec.Import is not null)
            {
                await ImportAsync(spec, token);
                return;
            }

            var checkpoint = await PrepareCheckpointAsync(spec, token);
            if (checkpoint is null || await AnsweredFromCacheAsync(spec, checkpoint, token))
            {
                return;
            }

            var modelKey = ModelKeys.For(checkpoint.ContentHash!, spec.DType);
            var loadSpec = new ModelLoadSpec(checkpoint.ModelPath!, spec.DType);
            await UpdateAsync(s => s with { State = RunState.Loading, ModelKey = modelKey, Step = checkpoint.Step });
            var bytes = await Task.Run(() => engines.EstimateBytes(loadSpec.ModelPath, "cpu", spec.DType), token);
            if (!await LoadModelAsync(modelKey, loadSpec, bytes, token))
            {
                return;
            }

            await UpdateAsync(s => s with { State = RunState.Running, StartedAt = s.StartedAt ?? clock.GetUtcNow() });
            var generator = new ModelGrainResponseGenerator(GrainFactory, modelKey, loadSpec, RunId, bytes, clock,
                (e, attempt) => LogGenerateRetry(logger, RunId, modelKey, attempt, e.GetType().Name, e.Message));
            var progress = new SynchronousProgress<RunProgress>(p => Volatile.Write(ref _live, p));
            var resultsDirectory = state.State.Status.ResultsDirectory!;
            var metrics = await Task.Run(() => executor.RunAsync(spec, loadSpec.ModelPath, checkpoint.ContentHash!, resultsDirectory, RunId, generator, progress, token, drain.Token), token);
            await UpdateAsync(s => s with { Metrics = metrics, Progress = Volatile.Read(ref _live) ?? s.Progress });
            await FinishAsync(RunState.Completed, null);
        }
        catch (Exception e) when (_handingOff && LostToStopping(e))
        {
            // This silo is stopping: the run stays unfinished in storage, with the progress it has, for the next silo.
            // The results journal is what the next silo resumes from; progress in the state is only for display.
            try
            {
                await UpdateAsync(s => s with { Progress = Volatile.Read(ref _live) ?? s.Progress });
            }
            catch (Orleans.Storage.InconsistentStateException conflict)
            {
                LogHandoffStateConflict(logger, RunId, conflict.Message);
            }

            LogHandedOff(logger, RunId, Volatile.Read(ref _live)?.SamplesDone ?? 0);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            await FinishAsync(RunState.Cancelled, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogRunFailed(logger, e, RunId);
            await FinishAsync(RunState.Failed, e.Message);
        }
        finally
        {
            _lease?.Dispose();
            _lease = null;
            _cancellation = null;
            _drain = null;
            _execution = null;
        }
    }

    private async Task<CheckpointStatus?> PrepareCheckpointAsync(RunSpec spec, CancellationToken token)
    {
        var grain = GrainFactory.GetGrain<ICheckpointGrain>(CheckpointPaths.Normalize(spec.Checkpoint));
        var checkpoint = await RetryAsync(grain.PrepareAsync, token);
        while (!checkpoint.IsSettled && CheckpointPreparer.ValueModelRefusal(checkpoint) is null)
        {
            var runState = checkpoint.State == CheckpointState.Merging ? RunState.Merging : RunState.Validating;
            if (state.State.Status!.State != runState)
            {
                await UpdateAsync(s => s with { State = runState, Step = checkpoint.Step });
            }

            await Task.Delay(PollInterval, token);
            checkpoint = await RetryAsync(grain.GetStatusAsync, token);
        }

        if (CheckpointPreparer.ValueModelRefusal(checkpoint) is { } refusal)
        {
            await FinishAsync(RunState.Failed, refusal);
            return null;
        }

        if (checkpoint.State == CheckpointState.Ready)
        {
            return checkpoint;
        }

        var why = checkpoint.State == CheckpointState.Invalid
            ? "checkpoint is invalid: " + string.Join("; ", checkpoint.Validation!.Issues.Where(i => i.Severity == "error").Select(i => $"[{i.Code}] {i.Message}" + (i.File is null ? "" : $" in {i.File}")))
            : $"checkpoint could not be prepared: {checkpoint.Error}";
        await FinishAsync(RunState.Failed, why);
        return null;
    }

    private async Task<bool> LoadModelAsync(string modelKey, ModelLoadSpec loadSpec, long bytes, CancellationToken token)
    {
        var model = GrainFactory.GetGrain<IModelGrain>(modelKey);
        var status = await RetryAsync(() =>
        {
            RequestContext.Set(DeviceAwarePlacementStrategy.RequiredBytesKey, bytes);
            return model.LoadAsync(loadSpec);
        }, token);
        while (status.State is ModelState.Loading or ModelState.Unloaded || status.NoRoom)
        {
            // No room: every resident model is busy with other work; the run waits its turn and asks again.
            await Task.Delay(status.NoRoom ? ModelGrainResponseGenerator.RoomPollInterval : PollInterval, token);
            // Unloaded: the model grain came back elsewhere (its silo died) without its load; start it there.
            var again = status.State == ModelState.Unloaded || status.NoRoom;
            status = await RetryAsync(() =>
            {
                RequestContext.Set(DeviceAwarePlacementStrategy.RequiredBytesKey, bytes);
                return again ? model.LoadAsync(loadSpec) : model.GetStatusAsync();
            }, token);
        }

        if (status.State == ModelState.Ready)
        {
            return true;
        }

        await FinishAsync(RunState.Failed, $"model {modelKey} did not load: {status.Error ?? status.State.ToString()}");
        return false;
    }

    private async Task FinishAsync(RunState final, string? error)
    {
        // Observers and the sweep hear of it at the publisher's next tick: they get at most four updates a second.
        await UpdateAsync(s => s with { State = final, Error = error, FinishedAt = clock.GetUtcNow(), Progress = Volatile.Read(ref _live) ?? s.Progress });
    }

    private Task<T> RetryAsync<T>(Func<Task<T>> call, CancellationToken token) =>
        ClusterRetry.CallAsync(call, clock, (e, attempt) => LogCallRetry(logger, RunId, attempt, e.Message), cancellationToken: token);

    // While this silo stops, a generate call in flight may fail with its model's silo (a lost message, a cancelled
    // retry); the pipeline wraps it in its own error naming the row. Either way the run is handed off, not failed: the
    // next silo resumes it from its journal.
    private static bool LostToStopping(Exception e)
    {
        for (Exception? cause = e; cause is not null; cause = cause.InnerException)
        {
            if (cause is OperationCanceledException or OrleansException)
            {
                return true;
            }
        }

        return false;
    }

    private static bool SameSpec(RunSpec a, RunSpec b) =>
        a with { DataFiles = [], RewardRoutes = [], Sampling = a.Sampling with { StopTokenIds = [], Stop = [] } }
            == b with { DataFiles = [], RewardRoutes = [], Sampling = b.Sampling with { StopTokenIds = [], Stop = [] } }
        && a.DataFiles.SequenceEqual(b.DataFiles)
        && a.RewardRoutes.SequenceEqual(b.RewardRoutes)
        && a.Sampling.StopTokenIds.SequenceEqual(b.Sampling.StopTokenIds)
        && a.Sampling.Stop.SequenceEqual(b.Sampling.Stop);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluation run {RunId} failed")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: this silo is deactivating it ({Reason}) at {SamplesDone} samples; finishing the calls in flight and handing it off")]
    private static partial void LogHandingOff(ILogger logger, string runId, DeactivationReasonCode reason, int samplesDone);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: its state was written by another activation while this one handed it off ({Message})")]
    private static partial void LogHandoffStateConflict(ILogger logger, string runId, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} is executed by another activation (its lease stayed taken); this one steps aside")]
    private static partial void LogSteppedAside(ILogger logger, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} handed off at {SamplesDone} samples: persisted as unfinished, another silo resumes it")]
    private static partial void LogHandedOff(ILogger logger, string runId, int samplesDone);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: generate call to model {ModelKey} lost (try {Attempt}: {Error}: {Message}); calling again")]
    private static partial void LogGenerateRetry(ILogger logger, string runId, string modelKey, int attempt, string error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: grain call failed (try {Attempt}: {Message}); calling again")]
    private static partial void LogCallRetry(ILogger logger, string runId, int attempt, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: catalog unreachable ({Message}); it is told at the next update")]
    private static partial void LogCatalogUnreachable(ILogger logger, string runId, string message);
}
