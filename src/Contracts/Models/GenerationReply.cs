namespace VerlOrleans.Contracts.Models;

/// <summary>The responses to one <see cref="GenerationCall"/>, in sample order.</summary>
[GenerateSerializer, Immutable]
public sealed record GenerationReply(
    [property: Id(0)] int PromptTokenCount,
    [property: Id(1)] IReadOnlyList<GeneratedSequence> Sequences);
