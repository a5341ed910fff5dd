using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Models;

namespace VerlOrleans.Grains.Catalog;

/// <summary>The catalog's changes since its last push, the latest entry per key.</summary>
public sealed class CatalogChanges
{
    private readonly HashSet<string> _unloaded = new(StringComparer.Ordinal);

    public Dictionary<string, RunSummary> Runs { get; } = [];

    public Dictionary<string, SweepSummary> Sweeps { get; } = [];

    public Dictionary<string, CheckpointStatus> Checkpoints { get; } = [];

    public Dictionary<string, ModelStatus> Models { get; } = [];

    public bool IsEmpty => Runs.Count == 0 && Sweeps.Count == 0 && Checkpoints.Count == 0 && Models.Count == 0 && _unloaded.Count == 0;

    /// <summary>A model that unloaded: any pending status of it is dropped.</summary>
    public void UnloadModel(string key)
    {
        Models.Remove(key);
        _unloaded.Add(key);
    }

    /// <summary>The changes as one update, and a clean slate. A model loaded again after unloading counts as loaded.</summary>
    public CatalogUpdate Drain()
    {
        var update = new CatalogUpdate
        {
            Runs = [.. Runs.Values],
            Sweeps = [.. Sweeps.Values],
            Checkpoints = [.. Checkpoints.Values],
            Models = [.. Models.Values],
            UnloadedModels = _unloaded.Where(k => !Models.ContainsKey(k)).ToList(),
        };
        Runs.Clear();
        Sweeps.Clear();
        Checkpoints.Clear();
        Models.Clear();
        _unloaded.Clear();
        return update;
    }
}
