using VerlOrleans.Contracts.Catalog;

namespace VerlOrleans.Grains.Catalog;

/// <summary>What the catalog persists: registered checkpoints, runs and sweeps.</summary>
[GenerateSerializer]
public sealed class CatalogState
{
    [Id(0)] public List<string> Checkpoints { get; set; } = [];
    [Id(1)] public Dictionary<string, RunSummary> Runs { get; set; } = [];
    [Id(2)] public Dictionary<string, SweepSummary> Sweeps { get; set; } = [];

    /// <summary>A run or sweep was deleted: the grid has had work even when its lists are empty now.</summary>
    [Id(3)] public bool WorkDeleted { get; set; }
}
