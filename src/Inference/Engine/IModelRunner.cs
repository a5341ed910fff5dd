using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Inference.Engine;

/// <summary>
/// Computes for the engine: one forward pass per step over the scheduled chunks, KV cache slots per sequence,
/// and the sampling of next tokens. Called only from the engine thread, which owns all tensor work.
/// </summary>
public interface IModelRunner : IDisposable
{
    RunnerInfo Info { get; }

    /// <summary>
    /// Runs one step; returns one token per <see cref="SampleTarget"/>, in chunk then target order, and the scores of the
    /// chunks that asked for them (<see cref="RunnerChunk.Scoring"/>).
    /// </summary>
    RunnerOutput Execute(IReadOnlyList<RunnerChunk> chunks);

    /// <summary>Frees a finished or aborted sequence's cache slot.</summary>
    void Release(long sequenceId);
}

/// <summary>What a runner offers: its cache geometry, vocabulary and stop ids, and its memory.</summary>
/// <param name="Slots">Sequences it can hold at once.</param>
/// <param name="MaxSequenceLength">Positions per sequence (prompt + generated).</param>
/// <param name="VocabSize">Logit columns; valid token ids are below it.</param>
/// <param name="EosTokenIds">The model's end-of-sequence ids (stop generation unless a request ignores them).</param>
/// <param name="WeightBytes">Resident weight memory.</param>
/// <param name="KvCacheBytes">Allocated KV cache memory.</param>
/// <param name="Device">TorchSharp device string.</param>
/// <param name="DType">Resident dtype name.</param>
public sealed record RunnerInfo(int Slots, int MaxSequenceLength, int VocabSize, IReadOnlyList<int> EosTokenIds, long WeightBytes, long KvCacheBytes, string Device, string DType);

/// <summary>
/// Tokens <paramref name="Start"/>.. of a sequence to feed. Empty <paramref name="Samples"/>: a prompt chunk that
/// does not end the prompt. Otherwise the first target is the sequence itself, any others are siblings that
/// receive a copy of its cache and draw from the same logits.
/// </summary>
public sealed record RunnerChunk(long SequenceId, int Start, IReadOnlyList<int> TokenIds, IReadOnlyList<SampleTarget> Samples)
{
    /// <summary>Score the tokens that follow this chunk's positions (prompt logprobs); null scores none.</summary>
    public PromptScoring? Scoring { get; init; }
}

/// <summary>
/// Log-probabilities wanted for a chunk's positions: position <c>Start + j</c> predicts <paramref name="NextTokenIds"/>[j]
/// (the prompt's next token), with <paramref name="Top"/> alternatives. It may be shorter than the chunk: the prompt's
/// last position predicts a token not drawn yet.
/// </summary>
public sealed record PromptScoring(int Top, IReadOnlyList<int> NextTokenIds);

/// <summary>What a step produced: the drawn tokens, and the scores of prompt chunks that asked for them.</summary>
public sealed record RunnerOutput(IReadOnlyList<SampledToken> Tokens, IReadOnlyList<ChunkScores> Scores)
{
    public static RunnerOutput Empty { get; } = new([], []);
}

/// <summary>Scores of one chunk's <see cref="PromptScoring.NextTokenIds"/>, the first being the token at <paramref name="FirstPosition"/>.</summary>
public sealed record ChunkScores(long SequenceId, int FirstPosition, IReadOnlyList<TokenLogprob> Logprobs);

/// <summary>A token to draw for <paramref name="SequenceId"/> with its parameters and its next uniform draw.</summary>
public sealed record SampleTarget(long SequenceId, SamplingParams Params, double Uniform, bool CaptureLogits);

/// <summary>
/// A drawn token, with the float32 logits it was drawn from when they were asked for, and its log-probability when its
/// parameters ask for <see cref="SamplingParams.Logprobs"/>.
/// </summary>
public sealed record SampledToken(long SequenceId, int TokenId, float[]? Logits, TokenLogprob? Logprob = null);
