using VerlOrleans.Contracts.Checkpoints;

namespace VerlOrleans.Grains.Checkpoints;

/// <summary>What a checkpoint grain persists: its last status (validation report, merged folder, hash).</summary>
[GenerateSerializer]
public sealed class CheckpointGrainState
{
    [Id(0)] public CheckpointStatus? Status { get; set; }
}
