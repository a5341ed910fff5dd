using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Inference.Engine;

/// <summary>
/// Computes for the engine: one forward pass per step over the scheduled chunks, KV cache slots per sequence,
/// and the sampling of next tokens. Called only from the engine thread, which owns all tensor work.
/// </summary>
public interface IModelRunner : IDisposable
{
    RunnerInfo Info { get; }

    /// <summary>Runs one step; returns one token per <see cref="SampleTarget"/>, in chunk then target order.</summary>
    IReadOnlyList<SampledToken> Execute(IReadOnlyList<RunnerChunk> chunks);

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
public sealed record RunnerChunk(long SequenceId, int Start, IReadOnlyList<int> TokenIds, IReadOnlyList<SampleTarget> Samples);

/// <summary>A token to draw for <paramref name="SequenceId"/> with its parameters and its next uniform draw.</summary>
public sealed record SampleTarget(long SequenceId, SamplingParams Params, double Uniform, bool CaptureLogits);

/// <summary>A drawn token, with the float32 logits it was drawn from when they were asked for.</summary>
public sealed record SampledToken(long SequenceId, int TokenId, float[]? Logits);
