using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Contracts.Sweeps;

/// <summary>One checkpoint's line in the comparison table.</summary>
[GenerateSerializer, Immutable]
public sealed record SweepRow
{
    [Id(0)] public required string Checkpoint { get; init; }
    [Id(1)] public long? Step { get; init; }
    [Id(2)] public required string RunId { get; init; }
    [Id(3)] public RunState State { get; init; }
    [Id(4)] public double Fraction { get; init; }
    [Id(5)] public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    [Id(6)] public IReadOnlyDictionary<string, double> MeanScores { get; init; } = new Dictionary<string, double>();
    [Id(7)] public string? Error { get; init; }
}
