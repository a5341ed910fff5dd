using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Contracts.Sweeps;

/// <summary>Many checkpoints × one evaluation setup.</summary>
/// <param name="Checkpoints">Checkpoint folders; a verl run folder stands for every global_step_N/actor in it.</param>
/// <param name="Template">Run settings shared by every checkpoint (its Checkpoint field is ignored).</param>
/// <param name="MaxConcurrentRuns">Runs evaluating at once; the others wait (each holds its own model in memory).</param>
[GenerateSerializer, Immutable]
public sealed record SweepSpec(
    [property: Id(0)] IReadOnlyList<string> Checkpoints,
    [property: Id(1)] RunSpec Template,
    [property: Id(2)] int MaxConcurrentRuns = 2);
