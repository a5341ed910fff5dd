using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Contracts.Catalog;

/// <summary>A run's line in the catalog: identity, state, and (soft, not persisted on every change) its progress.</summary>
[GenerateSerializer, Immutable]
public sealed record RunSummary(
    [property: Id(0)] string RunId,
    [property: Id(1)] string Checkpoint,
    [property: Id(2)] long? Step,
    [property: Id(3)] RunState State,
    [property: Id(4)] string? SweepId,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] RunProgress? Progress = null,
    [property: Id(7)] string? Error = null,
    [property: Id(8)] DateTimeOffset? FinishedAt = null,
    [property: Id(9)] string? Origin = null)
{
    /// <summary><see cref="Origin"/> of a run imported from verl's files.</summary>
    public const string Imported = "imported";

    /// <summary><see cref="Origin"/> of a run the results cache answered.</summary>
    public const string Reused = "reused";

    /// <summary>The checkpoint as people name it: <c>run-folder/step_N</c> for verl checkpoints.</summary>
    public string CheckpointName => CheckpointNames.Display(Checkpoint, Step);

    /// <summary>The catalog line of <paramref name="status"/>.</summary>
    public static RunSummary Of(RunStatus status) => new(
        status.RunId, status.Spec?.Checkpoint ?? "", status.Step, status.State, status.SweepId, status.CreatedAt,
        status.Progress, status.Error, status.FinishedAt,
        status.Spec?.Import is not null ? Imported : status.ReusedFrom is not null ? Reused : null);

    /// <summary>True when the persisted part differs (everything but progress).</summary>
    public bool DiffersDurablyFrom(RunSummary other) => this with { Progress = null } != other with { Progress = null };
}
