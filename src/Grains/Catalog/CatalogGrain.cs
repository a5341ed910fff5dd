using Microsoft.Extensions.Logging;
using Orleans.Utilities;
using VerlOrleans.Checkpoints;
using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Grains.Checkpoints;
using VerlOrleans.Grains.Hosting;
using VerlOrleans.Grains.Inputs;
using VerlOrleans.Contracts.Inputs;

namespace VerlOrleans.Grains.Catalog;

/// <summary>
/// The grid's lists. Checkpoints, runs and sweeps are persisted (runs and sweeps on state changes only); run
/// progress, checkpoint statuses and models are soft state their grains refresh. Every change is collected and
/// pushed to observers at most four times a second, so a page shows a whole grid live with one subscription.
/// </summary>
public sealed class CatalogGrain(
    [PersistentState("catalog", GridSiloBuilderExtensions.StorageName)] IPersistentState<CatalogState> state,
    IClusterMembershipService membership,
    PathRoots roots,
    ILogger<CatalogGrain> logger) : Grain, ICatalogGrain
{
    private static readonly TimeSpan PublishInterval = TimeSpan.FromMilliseconds(250);
    private readonly ObserverManager<ICatalogObserver> _observers = new(TimeSpan.FromMinutes(2), logger);
    private readonly Dictionary<string, ModelStatus> _models = [];
    private readonly Dictionary<string, RunSummary> _liveRuns = [];
    private readonly Dictionary<string, CheckpointStatus> _checkpoints = [];
    private readonly CatalogChanges _changes = new();
    private readonly Guid _epoch = Guid.NewGuid();
    private long _sequence;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(PublishAsync, new GrainTimerCreationOptions(PublishInterval, PublishInterval) { Interleave = true });
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<string>> RegisterCheckpointsAsync(string path)
    {
        if (roots.CheckpointProblem(path) is { } outside)
        {
            throw new RequestRefusedException([new FieldError("path", outside)], 403);
        }

        var normalized = CheckpointPaths.Normalize(path);
        var found = await DiscoverAsync(normalized);
        var keys = found.Kind == CheckpointKind.VerlRun
            ? found.Checkpoints.Select(c => CheckpointPaths.Normalize(c.Path)).ToList()
            : [CheckpointPaths.Normalize(found.Path)];
        var added = keys.Where(k => !state.State.Checkpoints.Contains(k)).ToList();
        if (added.Count > 0)
        {
            state.State.Checkpoints.AddRange(added);
            await state.WriteStateAsync();
            foreach (var status in await Task.WhenAll(added.Select(k => GrainFactory.GetGrain<ICheckpointGrain>(k).GetStatusAsync())))
            {
                Remember(status);
            }
        }

        return keys;
    }

    /// <summary>
    /// What the folder holds, or a refusal naming the field as the API's (422): the discovery's own exception types are
    /// not serializable, so a cluster client (the CLI) would get a codec error instead of the reason.
    /// </summary>
    private static async Task<CheckpointDiscoveryResult> DiscoverAsync(string folder)
    {
        try
        {
            return await Task.Run(() => CheckpointDiscovery.Discover(folder));
        }
        catch (Exception e) when (e is CheckpointFormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new RequestRefusedException([new FieldError("path", e.Message)], 422);
        }
    }

    public async Task<IReadOnlyList<CheckpointStatus>> ListCheckpointsAsync()
    {
        // Checkpoint grains report every change; ask only those this activation has not heard from yet.
        var unknown = state.State.Checkpoints.Where(k => !_checkpoints.ContainsKey(k)).ToList();
        foreach (var status in await Task.WhenAll(unknown.Select(k => GrainFactory.GetGrain<ICheckpointGrain>(k).GetStatusAsync())))
        {
            _checkpoints[status.Path] = status;
        }

        return state.State.Checkpoints.Select(k => _checkpoints[k]).ToList();
    }

    public async Task TrackCheckpointAsync(CheckpointStatus checkpoint)
    {
        // A run started on a checkpoint nobody registered registers it: the checkpoints page lists what runs used.
        if (!state.State.Checkpoints.Contains(checkpoint.Path))
        {
            state.State.Checkpoints.Add(checkpoint.Path);
            await state.WriteStateAsync();
        }

        if (_checkpoints.GetValueOrDefault(checkpoint.Path) != checkpoint)
        {
            Remember(checkpoint);
        }
    }

    public async Task TrackRunAsync(RunSummary run)
    {
        if (_liveRuns.TryGetValue(run.RunId, out var live) && live == run)
        {
            return;
        }

        _liveRuns[run.RunId] = run;
        _changes.Runs[run.RunId] = run;
        if (!state.State.Runs.TryGetValue(run.RunId, out var known) || run.DiffersDurablyFrom(known))
        {
            state.State.Runs[run.RunId] = run;
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<RunSummary>> ListRunsAsync() => Task.FromResult(Runs());

    public async Task TrackSweepAsync(SweepSummary sweep)
    {
        if (state.State.Sweeps.TryGetValue(sweep.SweepId, out var known) && known == sweep)
        {
            return;
        }

        state.State.Sweeps[sweep.SweepId] = sweep;
        _changes.Sweeps[sweep.SweepId] = sweep;
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<SweepSummary>> ListSweepsAsync() => Task.FromResult(Sweeps());

    public Task TrackModelAsync(ModelStatus model)
    {
        if (model.State == ModelState.Unloaded)
        {
            if (_models.Remove(model.Key))
            {
                _changes.UnloadModel(model.Key);
            }
        }
        else if (!_models.TryGetValue(model.Key, out var known) || known != model)
        {
            _models[model.Key] = model;
            _changes.Models[model.Key] = model;
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ModelStatus>> ListModelsAsync() => Task.FromResult(Models());

    public async Task ForgetRunAsync(string runId)
    {
        _liveRuns.Remove(runId);
        _changes.DeleteRun(runId);
        if (state.State.Runs.Remove(runId) || !state.State.WorkDeleted)
        {
            state.State.WorkDeleted = true;
            await state.WriteStateAsync();
        }
    }

    public async Task ForgetSweepAsync(string sweepId)
    {
        _changes.DeleteSweep(sweepId);
        if (state.State.Sweeps.Remove(sweepId) || !state.State.WorkDeleted)
        {
            state.State.WorkDeleted = true;
            await state.WriteStateAsync();
        }
    }

    public async Task<bool> ForgetCheckpointAsync(string path)
    {
        _checkpoints.Remove(path);
        if (!state.State.Checkpoints.Remove(path))
        {
            return false;
        }

        _changes.DeleteCheckpoint(path);
        await state.WriteStateAsync();
        return true;
    }

    public Task<bool> HasHadWorkAsync() => Task.FromResult(state.State.WorkDeleted || state.State.Runs.Count > 0 || state.State.Sweeps.Count > 0);

    public async Task<CatalogUpdate> GetSnapshotAsync() => new()
    {
        IsSnapshot = true,
        Runs = Runs(),
        Sweeps = Sweeps(),
        Checkpoints = await ListCheckpointsAsync(),
        Models = Models(),
        Sequence = _sequence,
        Epoch = _epoch,
    };

    public Task SubscribeAsync(ICatalogObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(ICatalogObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    private void Remember(CheckpointStatus checkpoint)
    {
        _checkpoints[checkpoint.Path] = checkpoint;
        _changes.Checkpoints[checkpoint.Path] = checkpoint;
    }

    private IReadOnlyList<RunSummary> Runs() =>
        state.State.Runs.Values.Select(r => _liveRuns.GetValueOrDefault(r.RunId) ?? r).OrderByDescending(r => r.CreatedAt).ToList();

    private IReadOnlyList<SweepSummary> Sweeps() => state.State.Sweeps.Values.OrderByDescending(s => s.CreatedAt).ToList();

    private IReadOnlyList<ModelStatus> Models() => _models.Values.OrderBy(m => m.Key, StringComparer.Ordinal).ToList();

    /// <summary>A model whose silo died never reports its unload: drop it once membership no longer lists its silo as alive.</summary>
    private void ForgetModelsOfDeadSilos()
    {
        var alive = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status != SiloStatus.Dead)
            .Select(m => m.SiloAddress.ToParsableString())
            .ToHashSet(StringComparer.Ordinal);
        foreach (var model in _models.Values.Where(m => m.Silo is { } silo && !alive.Contains(silo)).ToList())
        {
            _models.Remove(model.Key);
            _changes.UnloadModel(model.Key);
        }
    }

    private Task PublishAsync(CancellationToken cancellationToken)
    {
        ForgetModelsOfDeadSilos();
        if (_changes.IsEmpty)
        {
            return Task.CompletedTask;
        }

        var update = _changes.Drain() with { Sequence = ++_sequence, Epoch = _epoch };
        // Not awaited: a slow or gone observer must not hold up the catalog; Notify drops observers whose calls fail.
        _ = _observers.Notify((Func<ICatalogObserver, Task>)(o => o.OnCatalogChangedAsync(update)));
        return Task.CompletedTask;
    }
}
