using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Models;

namespace VerlOrleans.Contracts.Catalog;

/// <summary>
/// The lists the dashboard and CLI browse (singleton, key 0). Checkpoints, runs and sweeps are persisted; run
/// progress and models are soft state their grains refresh. Observers get every change, batched.
/// </summary>
public interface ICatalogGrain : IGrainWithIntegerKey
{
    const long SingletonKey = 0;

    /// <summary>Registers a checkpoint folder, or every global_step_N/actor of a verl run folder; returns the checkpoint keys.</summary>
    Task<IReadOnlyList<string>> RegisterCheckpointsAsync(string path);

    Task<IReadOnlyList<CheckpointStatus>> ListCheckpointsAsync();

    /// <summary>Checkpoint grains report every change of their status (merge progress a few times a second).</summary>
    Task TrackCheckpointAsync(CheckpointStatus checkpoint);

    /// <summary>Run grains report their state and progress; only state changes are persisted.</summary>
    Task TrackRunAsync(RunSummary run);

    Task<IReadOnlyList<RunSummary>> ListRunsAsync();

    Task TrackSweepAsync(SweepSummary sweep);

    Task<IReadOnlyList<SweepSummary>> ListSweepsAsync();

    /// <summary>Model grains report here when they load or unload, and every second or so while they work.</summary>
    Task TrackModelAsync(ModelStatus model);

    Task<IReadOnlyList<ModelStatus>> ListModelsAsync();

    /// <summary>Drops a deleted run's line; observers are told it is gone. The run grain calls this as it deletes itself.</summary>
    Task ForgetRunAsync(string runId);

    /// <summary>Drops a deleted sweep's line; observers are told it is gone.</summary>
    Task ForgetSweepAsync(string sweepId);

    /// <summary>Unregisters a checkpoint (its grain calls this as it deletes itself); false when it was not registered.</summary>
    Task<bool> ForgetCheckpointAsync(string path);

    /// <summary>
    /// True once this grid has had a run or sweep, deleted ones included: a grid emptied by deletions is not a fresh
    /// grid (the demo does not start again on it).
    /// </summary>
    Task<bool> HasHadWorkAsync();

    /// <summary>Everything at once, as the first update a new observer applies.</summary>
    Task<CatalogUpdate> GetSnapshotAsync();

    /// <summary>Observers receive changes (batched); re-subscribe periodically, subscriptions expire.</summary>
    Task SubscribeAsync(ICatalogObserver observer);

    Task UnsubscribeAsync(ICatalogObserver observer);
}
