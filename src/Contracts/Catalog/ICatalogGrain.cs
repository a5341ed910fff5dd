using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Models;

namespace VerlOrleans.Contracts.Catalog;

/// <summary>The lists the dashboard and CLI browse (singleton, key 0; persisted).</summary>
public interface ICatalogGrain : IGrainWithIntegerKey
{
    const long SingletonKey = 0;

    /// <summary>Registers a checkpoint folder, or every global_step_N/actor of a verl run folder; returns the checkpoint keys.</summary>
    Task<IReadOnlyList<string>> RegisterCheckpointsAsync(string path);

    Task<IReadOnlyList<CheckpointStatus>> ListCheckpointsAsync();

    Task TrackRunAsync(RunSummary run);

    Task<IReadOnlyList<RunSummary>> ListRunsAsync();

    Task TrackSweepAsync(SweepSummary sweep);

    Task<IReadOnlyList<SweepSummary>> ListSweepsAsync();

    /// <summary>Model grains report here when they load or unload.</summary>
    Task TrackModelAsync(ModelStatus model);

    Task<IReadOnlyList<ModelStatus>> ListModelsAsync();
}
