namespace VerlOrleans.Contracts.Samples;

/// <summary>A sample reduced to what comparing runs needs: which prompt, which sample, correct or not.</summary>
[GenerateSerializer, Immutable]
public sealed record SampleOutcome(
    [property: Id(0)] string Uid,
    [property: Id(1)] int SampleIndex,
    [property: Id(2)] long Position,
    [property: Id(3)] string DataSource,
    [property: Id(4)] double Score,
    [property: Id(5)] bool Correct);
