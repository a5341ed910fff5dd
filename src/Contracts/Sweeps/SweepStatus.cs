using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Contracts.Sweeps;

/// <summary>A sweep and its comparison table (metric vs global step), rows ordered by step.</summary>
[GenerateSerializer, Immutable]
public sealed record SweepStatus
{
    [Id(0)] public required string SweepId { get; init; }
    [Id(1)] public SweepSpec? Spec { get; init; }
    [Id(2)] public IReadOnlyList<SweepRow> Rows { get; init; } = [];
    [Id(3)] public DateTimeOffset CreatedAt { get; init; }
    [Id(4)] public string? Error { get; init; }

    /// <summary>Every run finished (or the sweep failed before it started any).</summary>
    public bool IsFinished => Error is not null || (Rows.Count > 0 && Rows.All(r => r.State.IsFinished()));
}
