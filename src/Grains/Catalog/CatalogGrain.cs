using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Grains.Checkpoints;
using VerlOrleans.Grains.Hosting;

namespace VerlOrleans.Grains.Catalog;

/// <summary>
/// The grid's lists. Checkpoints, runs and sweeps are persisted; models are soft state that model grains
/// refresh when they load or unload.
/// </summary>
public sealed class CatalogGrain(
    [PersistentState("catalog", GridSiloBuilderExtensions.StorageName)] IPersistentState<CatalogState> state) : Grain, ICatalogGrain
{
    private readonly Dictionary<string, ModelStatus> _models = [];

    public async Task<IReadOnlyList<string>> RegisterCheckpointsAsync(string path)
    {
        var normalized = CheckpointPaths.Normalize(path);
        var found = await Task.Run(() => CheckpointDiscovery.Discover(normalized));
        var keys = found.Kind == CheckpointKind.VerlRun
            ? found.Checkpoints.Select(c => CheckpointPaths.Normalize(c.Path)).ToList()
            : [CheckpointPaths.Normalize(found.Path)];
        var added = keys.Where(k => !state.State.Checkpoints.Contains(k)).ToList();
        if (added.Count > 0)
        {
            state.State.Checkpoints.AddRange(added);
            await state.WriteStateAsync();
        }

        return keys;
    }

    public async Task<IReadOnlyList<CheckpointStatus>> ListCheckpointsAsync() =>
        await Task.WhenAll(state.State.Checkpoints.Select(k => GrainFactory.GetGrain<ICheckpointGrain>(k).GetStatusAsync()));

    public async Task TrackRunAsync(RunSummary run)
    {
        if (state.State.Runs.TryGetValue(run.RunId, out var known) && known == run)
        {
            return;
        }

        state.State.Runs[run.RunId] = run;
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<RunSummary>> ListRunsAsync() =>
        Task.FromResult<IReadOnlyList<RunSummary>>(state.State.Runs.Values.OrderByDescending(r => r.CreatedAt).ToList());

    public async Task TrackSweepAsync(SweepSummary sweep)
    {
        if (state.State.Sweeps.TryGetValue(sweep.SweepId, out var known) && known == sweep)
        {
            return;
        }

        state.State.Sweeps[sweep.SweepId] = sweep;
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<SweepSummary>> ListSweepsAsync() =>
        Task.FromResult<IReadOnlyList<SweepSummary>>(state.State.Sweeps.Values.OrderByDescending(s => s.CreatedAt).ToList());

    public Task TrackModelAsync(ModelStatus model)
    {
        if (model.State == ModelState.Unloaded)
        {
            _models.Remove(model.Key);
        }
        else
        {
            _models[model.Key] = model;
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ModelStatus>> ListModelsAsync() =>
        Task.FromResult<IReadOnlyList<ModelStatus>>(_models.Values.OrderBy(m => m.Key, StringComparer.Ordinal).ToList());
}
