namespace VerlOrleans.Contracts.Models;

/// <summary>One generated response.</summary>
/// <param name="Index">Sample index within its prompt (0..N-1).</param>
/// <param name="TokenIds">Generated ids, including a final stop token.</param>
/// <param name="Text">Decoded text (special tokens skipped), cut before a matched stop string.</param>
/// <param name="FinishReason">"stop" or "length".</param>
/// <param name="Logprobs">One per token id when <see cref="SamplingSettings.Logprobs"/> asked for them.</param>
[GenerateSerializer, Immutable]
public sealed record GeneratedSequence(
    [property: Id(0)] int Index,
    [property: Id(1)] IReadOnlyList<int> TokenIds,
    [property: Id(2)] string Text,
    [property: Id(3)] string FinishReason,
    [property: Id(4)] IReadOnlyList<TokenLogprobs>? Logprobs = null);
