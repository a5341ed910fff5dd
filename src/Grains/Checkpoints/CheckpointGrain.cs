using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Grains.Hosting;
using VerlOrleans.Grains.Inputs;

namespace VerlOrleans.Grains.Checkpoints;

/// <summary>
/// Validates and merges one checkpoint. The work runs on the thread pool; its continuations come back to this
/// activation, so status calls answer while a merge is running. Persisted: a Ready checkpoint whose folder still
/// exists is never merged twice. Every change, and merge progress a few times a second, goes to the catalog for the
/// live checkpoints page.
/// </summary>
[Reentrant]
public sealed partial class CheckpointGrain(
    [PersistentState("checkpoint", GridSiloBuilderExtensions.StorageName)] IPersistentState<CheckpointGrainState> state,
    CheckpointPreparer preparer,
    PathRoots roots,
    TimeProvider clock,
    ILogger<CheckpointGrain> logger) : Grain, ICheckpointGrain
{
    private Task? _preparation;
    private bool _deleting;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);
    private MergeProgressInfo? _progress;
    private MergeProgressInfo? _reportedProgress;

    private string Path => this.GetPrimaryKeyString();

    /// <summary>A preparation persisted as in progress was cut off with its silo: this activation starts it again.</summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Status?.State is CheckpointState.Validating or CheckpointState.Merging)
        {
            _preparation = PrepareInBackgroundAsync();
        }

        return Task.CompletedTask;
    }

    public Task<CheckpointStatus> GetStatusAsync() => Task.FromResult(Current());

    public Task<CheckpointStatus> PrepareAsync()
    {
        if (_deleting)
        {
            throw new InUseException($"{Path} is being deleted; register it again once it is gone");
        }

        // A cluster client can name any path as a checkpoint grain's key: only those inside the roots are read.
        if (roots.CheckpointProblem(Path) is { } outside)
        {
            throw new RequestRefusedException([new FieldError("checkpoint", outside)], 403);
        }

        var status = Current();
        var readyAndPresent = status.State == CheckpointState.Ready && status.ModelPath is not null && Directory.Exists(status.ModelPath);
        if (_preparation is null && !readyAndPresent && status.State != CheckpointState.Invalid)
        {
            _preparation = PrepareInBackgroundAsync();
        }

        return Task.FromResult(Current());
    }

    public async Task<bool> DeleteAsync()
    {
        if (_deleting || _preparation is not null)
        {
            throw new InUseException($"{Path} is being {(_deleting ? "deleted" : "validated or merged")}; try again once it is done");
        }

        var registered = await Catalog().ListCheckpointsAsync();
        if (!state.RecordExists && registered.All(c => c.Path != Path))
        {
            return false;
        }

        var status = Current();
        if (await CheckpointRemoval.FindUseAsync(GrainFactory, status) is { } use)
        {
            throw new InUseException($"{Path} is in use: {use}");
        }

        _deleting = true;
        try
        {
            foreach (var model in await CheckpointRemoval.ResidentModelsAsync(GrainFactory, status))
            {
                await GrainFactory.GetGrain<IModelGrain>(model).UnloadAsync();
            }

            // Only the grid's own merge is deleted; the checkpoint's folder (the user's shards or Hugging Face files) never is.
            var others = await CheckpointRemoval.PossibleSharersAsync(GrainFactory, status, registered);
            if (CheckpointRemoval.GridWrittenFolder(status, preparer.ModelCacheDirectory, others) is { } merged)
            {
                await Task.Run(() => Directory.Delete(merged, recursive: true));
                LogMergeDeleted(logger, Path, merged);
            }

            // Catalog before state: cut off in between, the checkpoint is unlisted and a new registration starts afresh.
            await Catalog().ForgetCheckpointAsync(Path);
            state.State.Status = null;
            await state.ClearStateAsync();
        }
        finally
        {
            _deleting = false;
        }

        DeactivateOnIdle();
        return true;
    }

    public async Task ResetAsync()
    {
        if (_preparation is not null)
        {
            throw new InvalidOperationException($"{Path}: cannot reset while it is being prepared");
        }

        state.State.Status = null;
        await state.ClearStateAsync();
    }

    private CheckpointStatus Current()
    {
        var status = state.State.Status ??= Registered();
        return status.State == CheckpointState.Merging ? status with { Progress = Volatile.Read(ref _progress) } : status;
    }

    private CheckpointStatus Registered()
    {
        try
        {
            var (kind, step, role) = CheckpointPreparer.Describe(Path);
            return new CheckpointStatus(Path, kind, step, role, CheckpointState.Registered, null, null, null, null, null, clock.GetUtcNow());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new CheckpointStatus(Path, "unknown", null, null, CheckpointState.Failed, null, null, null, null, e.Message, clock.GetUtcNow());
        }
    }

    private async Task PrepareInBackgroundAsync()
    {
        try
        {
            var status = Current();
            if (status.State == CheckpointState.Failed && status.Kind == "unknown")
            {
                state.State.Status = null;
                status = Current();
                if (status.State == CheckpointState.Failed)
                {
                    return;
                }
            }

            await SaveAsync(status with { State = CheckpointState.Validating, Error = null });
            var validation = await Task.Run(() => CheckpointPreparer.Validate(Path, CancellationToken.None));
            if (!validation.IsValid)
            {
                await SaveAsync(Current() with { State = CheckpointState.Invalid, Validation = validation });
                return;
            }

            string modelPath, hash;
            if (status.Kind == "hugging-face")
            {
                modelPath = Path;
                hash = await Task.Run(() => CheckpointPreparer.HashHuggingFace(Path, CancellationToken.None));
            }
            else
            {
                await SaveAsync(Current() with { State = CheckpointState.Merging, Validation = validation });
                var progress = new SynchronousProgress<MergeProgressInfo>(p => Volatile.Write(ref _progress, p));
                using (this.RegisterGrainTimer(ReportProgressAsync, new GrainTimerCreationOptions(ProgressInterval, ProgressInterval) { Interleave = true }))
                {
                    (modelPath, hash) = await Task.Run(() => preparer.MergeAsync(Path, progress, CancellationToken.None));
                }
            }

            await SaveAsync(Current() with { State = CheckpointState.Ready, Validation = validation, ModelPath = modelPath, ContentHash = hash, Progress = null });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogPreparationFailed(logger, e, Path);
            await SaveAsync(Current() with { State = CheckpointState.Failed, Error = e.Message, Progress = null });
        }
        finally
        {
            _preparation = null;
        }
    }

    private async Task SaveAsync(CheckpointStatus status)
    {
        state.State.Status = status with { UpdatedAt = clock.GetUtcNow() };
        await state.WriteStateAsync();
        try
        {
            await Catalog().TrackCheckpointAsync(Current());
        }
        catch (Exception e) when (ClusterRetry.IsTransient(e))
        {
            // The catalog's silo went away; the checkpoint's own state is saved and the next change tells the catalog.
            LogCatalogUnreachable(logger, Path, e.Message);
        }
    }

    private async Task ReportProgressAsync(CancellationToken cancellationToken)
    {
        var progress = Volatile.Read(ref _progress);
        if (progress is not null && progress != _reportedProgress)
        {
            _reportedProgress = progress;
            await Catalog().TrackCheckpointAsync(Current());
        }
    }

    private ICatalogGrain Catalog() => GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint {Path}: catalog unreachable ({Message})")]
    private static partial void LogCatalogUnreachable(ILogger logger, string path, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkpoint {Path} unregistered; its merged model {Folder} deleted")]
    private static partial void LogMergeDeleted(ILogger logger, string path, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Preparing checkpoint {Path} failed")]
    private static partial void LogPreparationFailed(ILogger logger, Exception exception, string path);
}
