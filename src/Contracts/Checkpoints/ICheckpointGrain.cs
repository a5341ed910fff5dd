namespace VerlOrleans.Contracts.Checkpoints;

/// <summary>
/// One checkpoint (key: its normalized absolute path): discovers its layout, validates it, and merges verl
/// shards into a Hugging Face safetensors folder in the grid's model cache. Long work is started and observed:
/// every method returns at once.
/// </summary>
public interface ICheckpointGrain : IGrainWithStringKey
{
    /// <summary>The current status (registers the checkpoint on first use).</summary>
    Task<CheckpointStatus> GetStatusAsync();

    /// <summary>Starts validation and, when needed, the merge; returns the status as of now. Idempotent.</summary>
    Task<CheckpointStatus> PrepareAsync();

    /// <summary>
    /// Unregisters the checkpoint: unloads its model and deletes the merged folder the grid wrote for it under its own
    /// models folder (unless another registered checkpoint holds the same weights). The user's folder, shards or a
    /// Hugging Face folder registered directly, is never touched. False when the checkpoint is not registered. Throws
    /// <see cref="InUseException"/>, changing nothing, while it is being prepared or a run or sweep in progress uses it.
    /// </summary>
    Task<bool> DeleteAsync();

    /// <summary>Forgets the validation and merge result so the next <see cref="PrepareAsync"/> starts over (after files changed).</summary>
    Task ResetAsync();
}
