namespace VerlOrleans.Contracts.Inputs;

/// <summary>A refused request field: its JSON path (<c>sampling.temperature</c>, <c>dataFiles[1]</c>) and why.</summary>
[GenerateSerializer, Immutable]
public sealed record FieldError(
    [property: Id(0)] string Field,
    [property: Id(1)] string Message);
