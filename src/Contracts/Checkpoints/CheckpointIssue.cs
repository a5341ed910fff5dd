namespace VerlOrleans.Contracts.Checkpoints;

/// <summary>One problem a validation found, naming the file and tensor key when there is one.</summary>
[GenerateSerializer, Immutable]
public sealed record CheckpointIssue(
    [property: Id(0)] string Severity,
    [property: Id(1)] string Code,
    [property: Id(2)] string Message,
    [property: Id(3)] string? File,
    [property: Id(4)] string? Key);
