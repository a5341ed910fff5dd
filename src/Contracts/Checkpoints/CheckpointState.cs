namespace VerlOrleans.Contracts.Checkpoints;

/// <summary>Where a checkpoint is on its way to a loadable Hugging Face folder.</summary>
public enum CheckpointState
{
    /// <summary>Known, not yet looked at.</summary>
    Registered,
    /// <summary>Reading headers and checking the shard set.</summary>
    Validating,
    /// <summary>The shard set is unusable; <see cref="CheckpointStatus.Validation"/> says why.</summary>
    Invalid,
    /// <summary>Writing merged safetensors.</summary>
    Merging,
    /// <summary>A Hugging Face folder with weights is available at <see cref="CheckpointStatus.ModelPath"/>.</summary>
    Ready,
    /// <summary>Preparation failed for another reason (I/O, out of disk); <see cref="CheckpointStatus.Error"/> says why.</summary>
    Failed,
}
