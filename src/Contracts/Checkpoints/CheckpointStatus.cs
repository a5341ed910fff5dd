namespace VerlOrleans.Contracts.Checkpoints;

/// <summary>Everything the grid knows about one checkpoint.</summary>
/// <param name="Path">Normalized absolute path (the grain key).</param>
/// <param name="Kind">"hugging-face", "verl-shards", "lora-adapter" or "megatron-dist-ckpt".</param>
/// <param name="Step">verl global step, when the path says it.</param>
/// <param name="Role">"actor" or "critic" for verl folders.</param>
/// <param name="State">Preparation state.</param>
/// <param name="Validation">The last validation report.</param>
/// <param name="Progress">Merge progress while merging.</param>
/// <param name="ModelPath">Hugging Face folder with weights, once ready.</param>
/// <param name="ContentHash">Hash of the weights (model identity), once ready.</param>
/// <param name="Error">Why preparation failed.</param>
/// <param name="UpdatedAt">When this status last changed.</param>
[GenerateSerializer, Immutable]
public sealed record CheckpointStatus(
    [property: Id(0)] string Path,
    [property: Id(1)] string Kind,
    [property: Id(2)] long? Step,
    [property: Id(3)] string? Role,
    [property: Id(4)] CheckpointState State,
    [property: Id(5)] CheckpointValidation? Validation,
    [property: Id(6)] MergeProgressInfo? Progress,
    [property: Id(7)] string? ModelPath,
    [property: Id(8)] string? ContentHash,
    [property: Id(9)] string? Error,
    [property: Id(10)] DateTimeOffset UpdatedAt)
{
    /// <summary>True once nothing more will happen without a new request (ready, invalid or failed).</summary>
    public bool IsSettled => State is CheckpointState.Ready or CheckpointState.Invalid or CheckpointState.Failed;
}
