using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Models;

namespace VerlOrleans.Contracts.Catalog;

/// <summary>
/// What changed in the catalog since the last update (or, with <see cref="IsSnapshot"/>, all of it). Pushed to
/// observers a few times a second at most; an entry replaces the one with the same key.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CatalogUpdate
{
    /// <summary>True when this is the whole catalog rather than a change.</summary>
    [Id(0)] public bool IsSnapshot { get; init; }
    [Id(1)] public IReadOnlyList<RunSummary> Runs { get; init; } = [];
    [Id(2)] public IReadOnlyList<SweepSummary> Sweeps { get; init; } = [];
    [Id(3)] public IReadOnlyList<CheckpointStatus> Checkpoints { get; init; } = [];
    /// <summary>Resident (or loading, or failed) models; a model that unloaded is in <see cref="UnloadedModels"/>.</summary>
    [Id(4)] public IReadOnlyList<ModelStatus> Models { get; init; } = [];
    [Id(5)] public IReadOnlyList<string> UnloadedModels { get; init; } = [];
    /// <summary>Increases with every update the catalog activation sends; a gap means an update was missed.</summary>
    [Id(6)] public long Sequence { get; init; }
    /// <summary>Identifies the catalog activation; a new one (after a silo restart) restarts <see cref="Sequence"/>.</summary>
    [Id(7)] public Guid Epoch { get; init; }

    /// <summary>Runs deleted since the last update (an id also in <see cref="Runs"/> was started again afterwards).</summary>
    [Id(8)] public IReadOnlyList<string> DeletedRuns { get; init; } = [];
    [Id(9)] public IReadOnlyList<string> DeletedSweeps { get; init; } = [];
    /// <summary>Checkpoints unregistered since the last update, by path.</summary>
    [Id(10)] public IReadOnlyList<string> DeletedCheckpoints { get; init; } = [];

    public bool IsEmpty => Runs.Count == 0 && Sweeps.Count == 0 && Checkpoints.Count == 0 && Models.Count == 0 && UnloadedModels.Count == 0
        && DeletedRuns.Count == 0 && DeletedSweeps.Count == 0 && DeletedCheckpoints.Count == 0;
}
