namespace VerlOrleans.Contracts.Catalog;

/// <summary>A sweep's line in the catalog.</summary>
[GenerateSerializer, Immutable]
public sealed record SweepSummary(
    [property: Id(0)] string SweepId,
    [property: Id(1)] int Checkpoints,
    [property: Id(2)] bool Finished,
    [property: Id(3)] DateTimeOffset CreatedAt);
