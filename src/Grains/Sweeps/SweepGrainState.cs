using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Grains.Sweeps;

/// <summary>What a sweep persists: its spec and table (run ids per checkpoint), so it survives restarts.</summary>
[GenerateSerializer]
public sealed class SweepGrainState
{
    [Id(0)] public SweepStatus? Status { get; set; }
}
