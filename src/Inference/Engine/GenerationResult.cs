using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Inference.Engine;

/// <summary>Why a sequence ended.</summary>
public enum FinishReason
{
    /// <summary>A stop token id or stop string was produced.</summary>
    Stop,

    /// <summary>MaxTokens were generated, or the sequence filled its KV slot.</summary>
    Length,
}

/// <summary>
/// The finished sequences of one request, in sample order, and the prompt tokens' log-probabilities when the request
/// asked for them (<see cref="Sampling.SamplingParams.PromptLogprobs"/>; entry 0 is null, nothing precedes it).
/// </summary>
public sealed record GenerationResult(long RequestId, int PromptTokenCount, IReadOnlyList<SequenceOutput> Sequences, IReadOnlyList<TokenLogprob?>? PromptLogprobs = null);

/// <summary>
/// One generated sequence. <paramref name="TokenIds"/> are the generated ids including a final stop token;
/// <paramref name="Text"/> is their decoding (null without a text decoder), cut before a matched stop string.
/// <paramref name="Logprobs"/> has one entry per token id when the request asked for them.
/// </summary>
public sealed record SequenceOutput(
    int Index,
    IReadOnlyList<int> TokenIds,
    string? Text,
    FinishReason FinishReason,
    int? StopTokenId,
    string? StopString,
    IReadOnlyList<float[]>? Logits,
    IReadOnlyList<TokenLogprob>? Logprobs = null);

/// <summary>Wire names of finish reasons, as vLLM and OpenAI write them.</summary>
public static class FinishReasons
{
    public static string ToWireName(this FinishReason reason) => reason switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
