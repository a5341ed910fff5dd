namespace VerlOrleans.Contracts.Models;

/// <summary>A model grain's residency and load, as reported to the dashboard.</summary>
[GenerateSerializer, Immutable]
public sealed record ModelStatus
{
    [Id(0)] public required string Key { get; init; }
    [Id(1)] public ModelState State { get; init; }
    [Id(2)] public string? ModelPath { get; init; }
    /// <summary>Silo address hosting the weights.</summary>
    [Id(3)] public string? Silo { get; init; }
    /// <summary>TorchSharp device string ("cpu", "cuda:0").</summary>
    [Id(4)] public string? Device { get; init; }
    [Id(5)] public string? DType { get; init; }
    [Id(6)] public long WeightBytes { get; init; }
    [Id(7)] public long KvCacheBytes { get; init; }
    /// <summary>Requests waiting for a batch slot.</summary>
    [Id(8)] public int WaitingRequests { get; init; }
    [Id(9)] public int ActiveSequences { get; init; }
    [Id(10)] public double TokensPerSecond { get; init; }
    [Id(11)] public long GeneratedTokens { get; init; }
    [Id(12)] public long Steps { get; init; }
    /// <summary>Most distinct callers that ever shared one engine step (proof of cross-run batching).</summary>
    [Id(13)] public int MaxStepCallers { get; init; }
    [Id(14)] public DateTimeOffset? LoadedAt { get; init; }
    [Id(15)] public DateTimeOffset? LastUsedAt { get; init; }
    [Id(16)] public string? Error { get; init; }
    /// <summary>The last load failed only for want of room (the resident models were busy): loading again later may succeed.</summary>
    [Id(17)] public bool NoRoom { get; init; }
}
