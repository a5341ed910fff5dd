using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Contracts.Catalog;

/// <summary>A run's line in the catalog.</summary>
[GenerateSerializer, Immutable]
public sealed record RunSummary(
    [property: Id(0)] string RunId,
    [property: Id(1)] string Checkpoint,
    [property: Id(2)] long? Step,
    [property: Id(3)] RunState State,
    [property: Id(4)] string? SweepId,
    [property: Id(5)] DateTimeOffset CreatedAt);
