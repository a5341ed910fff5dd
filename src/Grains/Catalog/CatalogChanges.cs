using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Models;

namespace VerlOrleans.Grains.Catalog;

/// <summary>The catalog's changes since its last push, the latest entry per key.</summary>
public sealed class CatalogChanges
{
    private readonly HashSet<string> _unloaded = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deletedRuns = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deletedSweeps = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deletedCheckpoints = new(StringComparer.Ordinal);

    public Dictionary<string, RunSummary> Runs { get; } = [];

    public Dictionary<string, SweepSummary> Sweeps { get; } = [];

    public Dictionary<string, CheckpointStatus> Checkpoints { get; } = [];

    public Dictionary<string, ModelStatus> Models { get; } = [];

    public bool IsEmpty => Runs.Count == 0 && Sweeps.Count == 0 && Checkpoints.Count == 0 && Models.Count == 0 && _unloaded.Count == 0
        && _deletedRuns.Count == 0 && _deletedSweeps.Count == 0 && _deletedCheckpoints.Count == 0;

    /// <summary>A model that unloaded: any pending status of it is dropped.</summary>
    public void UnloadModel(string key)
    {
        Models.Remove(key);
        _unloaded.Add(key);
    }

    /// <summary>A deleted run: any pending line of it is dropped.</summary>
    public void DeleteRun(string runId)
    {
        Runs.Remove(runId);
        _deletedRuns.Add(runId);
    }

    /// <summary>A deleted sweep: any pending line of it is dropped.</summary>
    public void DeleteSweep(string sweepId)
    {
        Sweeps.Remove(sweepId);
        _deletedSweeps.Add(sweepId);
    }

    /// <summary>An unregistered checkpoint: any pending status of it is dropped.</summary>
    public void DeleteCheckpoint(string path)
    {
        Checkpoints.Remove(path);
        _deletedCheckpoints.Add(path);
    }

    /// <summary>
    /// The changes as one update, and a clean slate. A model loaded again after unloading counts as loaded; a run, sweep
    /// or checkpoint added again after its deletion counts as added (observers drop it, then add it back).
    /// </summary>
    public CatalogUpdate Drain()
    {
        var update = new CatalogUpdate
        {
            Runs = [.. Runs.Values],
            Sweeps = [.. Sweeps.Values],
            Checkpoints = [.. Checkpoints.Values],
            Models = [.. Models.Values],
            UnloadedModels = _unloaded.Where(k => !Models.ContainsKey(k)).ToList(),
            DeletedRuns = [.. _deletedRuns],
            DeletedSweeps = [.. _deletedSweeps],
            DeletedCheckpoints = [.. _deletedCheckpoints],
        };
        Runs.Clear();
        Sweeps.Clear();
        Checkpoints.Clear();
        Models.Clear();
        _unloaded.Clear();
        _deletedRuns.Clear();
        _deletedSweeps.Clear();
        _deletedCheckpoints.Clear();
        return update;
    }
}
