using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Inference.Engine;

/// <summary>
/// What one sequence of a streaming request gained in one step: new token ids, the text they completed
/// (held back while it might be the start of a stop string or an unfinished character), and the finish reason
/// once it ended. <paramref name="Logprobs"/> holds the new tokens' log-probabilities when the request asked for them;
/// a sequence's first update also carries the prompt's (<see cref="PromptLogprobs"/>) when those were asked for.
/// </summary>
public sealed record GenerationUpdate(int SequenceIndex, IReadOnlyList<int> TokenIds, string? Text, FinishReason? FinishReason, IReadOnlyList<TokenLogprob>? Logprobs = null)
{
    /// <summary>The prompt's log-probabilities (entry 0 null), on a sequence's first update only.</summary>
    public IReadOnlyList<TokenLogprob?>? PromptLogprobs { get; init; }
}
