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

    /// <summary>Forgets the validation and merge result so the next <see cref="PrepareAsync"/> starts over (after files changed).</summary>
    Task ResetAsync();
}
