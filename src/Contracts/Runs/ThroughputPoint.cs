namespace VerlOrleans.Contracts.Runs;

/// <summary>A run's counters at one moment; rates are the differences between points.</summary>
[GenerateSerializer, Immutable]
public sealed record ThroughputPoint(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] int SamplesDone,
    [property: Id(2)] long GeneratedTokens);
