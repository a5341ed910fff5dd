namespace VerlOrleans.Contracts.Models;

/// <summary>One prompt to continue <see cref="SamplingSettings.N"/> times.</summary>
/// <param name="CallerId">Who asks (a run id): the engine shares batch slots fairly between callers.</param>
/// <param name="PromptTokenIds">The tokenized prompt.</param>
/// <param name="Sampling">How to sample.</param>
[GenerateSerializer, Immutable]
public sealed record GenerationCall(
    [property: Id(0)] string CallerId,
    [property: Id(1)] IReadOnlyList<int> PromptTokenIds,
    [property: Id(2)] SamplingSettings Sampling);
