namespace VerlOrleans.Contracts.Catalog;

/// <summary>A sweep's line in the catalog.</summary>
/// <param name="SweepId">The sweep's id.</param>
/// <param name="Checkpoints">Runs in the sweep (one per checkpoint).</param>
/// <param name="Finished">Every run finished.</param>
/// <param name="CreatedAt">When it was started.</param>
/// <param name="Title">What it compares, as people name it (the run folder, or the first checkpoint and a count).</param>
/// <param name="RunsFinished">Runs completed, failed or cancelled.</param>
/// <param name="RunsFailed">Runs that failed.</param>
[GenerateSerializer, Immutable]
public sealed record SweepSummary(
    [property: Id(0)] string SweepId,
    [property: Id(1)] int Checkpoints,
    [property: Id(2)] bool Finished,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] string? Title = null,
    [property: Id(5)] int RunsFinished = 0,
    [property: Id(6)] int RunsFailed = 0);
