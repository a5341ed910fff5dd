namespace VerlOrleans.Contracts.Models;

/// <summary>What one sequence gained in one engine step of a streamed generation.</summary>
/// <param name="SequenceIndex">Sample index within the prompt.</param>
/// <param name="TokenIds">New token ids.</param>
/// <param name="Text">Text these tokens completed (held back while it might be a split character or a stop string's start).</param>
/// <param name="FinishReason">"stop" or "length" on the sequence's last chunk.</param>
/// <param name="Logprobs">The new tokens' log-probabilities, when asked for.</param>
/// <param name="PromptLogprobs">The prompt's, on each sample's first chunk, when asked for.</param>
[GenerateSerializer, Immutable]
public sealed record GenerationChunk(
    [property: Id(0)] int SequenceIndex,
    [property: Id(1)] IReadOnlyList<int> TokenIds,
    [property: Id(2)] string? Text,
    [property: Id(3)] string? FinishReason,
    [property: Id(4)] IReadOnlyList<TokenLogprobs>? Logprobs = null,
    [property: Id(5)] IReadOnlyList<TokenLogprobs?>? PromptLogprobs = null);
