namespace VerlOrleans.Contracts.Checkpoints;

/// <summary>The validation report of a checkpoint, as the dashboard and run grains see it.</summary>
/// <param name="Status">"valid", "invalid" or "unreadable".</param>
/// <param name="Kind">Layout: "hugging-face", "verl-shards", ...</param>
/// <param name="WorldSize">FSDP world size for verl shard sets.</param>
/// <param name="FsdpVersion">1 or 2 for verl shard sets, when known.</param>
/// <param name="TensorCount">Tensors the merged model will hold.</param>
/// <param name="Issues">Every error and warning found.</param>
[GenerateSerializer, Immutable]
public sealed record CheckpointValidation(
    [property: Id(0)] string Status,
    [property: Id(1)] string Kind,
    [property: Id(2)] int? WorldSize,
    [property: Id(3)] int? FsdpVersion,
    [property: Id(4)] int TensorCount,
    [property: Id(5)] IReadOnlyList<CheckpointIssue> Issues)
{
    public bool IsValid => Status == "valid";
}
