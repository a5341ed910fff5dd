namespace VerlOrleans.Contracts.Checkpoints;

/// <summary>How far a merge has got.</summary>
[GenerateSerializer, Immutable]
public sealed record MergeProgressInfo(
    [property: Id(0)] string Phase,
    [property: Id(1)] int TensorsDone,
    [property: Id(2)] int TensorsTotal,
    [property: Id(3)] long BytesWritten,
    [property: Id(4)] long BytesTotal);
