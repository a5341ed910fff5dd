namespace VerlOrleans.Contracts.Models;

/// <summary>
/// The responses to one <see cref="GenerationCall"/>, in sample order, and the prompt tokens' log-probabilities when
/// <see cref="SamplingSettings.PromptLogprobs"/> asked for them (entry 0 is null: nothing precedes the first token).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record GenerationReply(
    [property: Id(0)] int PromptTokenCount,
    [property: Id(1)] IReadOnlyList<GeneratedSequence> Sequences,
    [property: Id(2)] IReadOnlyList<TokenLogprobs?>? PromptLogprobs = null);
