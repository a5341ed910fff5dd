using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Grains.Runs;

/// <summary>What a run grain persists: its status, so a restarted silo knows what to resume and where its results are.</summary>
[GenerateSerializer]
public sealed class RunGrainState
{
    [Id(0)] public RunStatus? Status { get; set; }
}
