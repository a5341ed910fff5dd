using System.Collections.Concurrent;
using VerlOrleans.Inference.Engine;
using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Inference.Tests.Engine;

/// <summary>
/// A model runner without a model, for engine tests: it keeps each sequence's fed tokens like a KV cache would
/// (checking positions), answers greedy rows with (last token + 1) mod vocab and sampled rows with
/// floor(uniform · vocab), and can be paused or made to fail. Execute is only ever called by the engine thread.
/// </summary>
internal sealed class FakeModelRunner(int slots = 4, int maxSequenceLength = 64, int vocab = 100, params int[] eos) : IModelRunner
{
    private readonly Dictionary<long, List<int>> _cache = [];

    public RunnerInfo Info { get; } = new(slots, maxSequenceLength, vocab, eos, 1000, 2000, "fake", "none");

    public ConcurrentQueue<IReadOnlyList<RunnerChunk>> Steps { get; } = new();

    public ConcurrentQueue<long> Released { get; } = new();

    /// <summary>When set, Execute waits on it (tests hold the engine mid-step).</summary>
    public ManualResetEventSlim Gate { get; } = new(true);

    /// <summary>Called on the engine thread at the start of every step.</summary>
    public Action<IReadOnlyList<RunnerChunk>>? BeforeStep { get; set; }

    /// <summary>Execute throws for a chunk of this sequence id.</summary>
    public long? FailOnSequence { get; set; }

    public int ThreadId { get; private set; }

    public int HeldSlots => _cache.Count;

    /// <summary>The log-probability the fake reports for a token at a position: a function of both, so bookkeeping errors show.</summary>
    public static float FakeLogprob(int position, int tokenId) => -(position * 1000 + tokenId) / 1e4f;

    public RunnerOutput Execute(IReadOnlyList<RunnerChunk> chunks)
    {
        ThreadId = Environment.CurrentManagedThreadId;
        Gate.Wait();
        BeforeStep?.Invoke(chunks);
        Steps.Enqueue(chunks);
        if (chunks.Any(c => c.SequenceId == FailOnSequence))
        {
            throw new InvalidOperationException($"model failure on sequence {FailOnSequence}");
        }

        var result = new List<SampledToken>();
        var scores = new List<ChunkScores>();
        foreach (var chunk in chunks)
        {
            if (!_cache.TryGetValue(chunk.SequenceId, out var cached))
            {
                Assert.True(_cache.Count < slots, "more sequences than slots");
                cached = _cache[chunk.SequenceId] = [];
            }

            Assert.Equal(cached.Count, chunk.Start);
            cached.AddRange(chunk.TokenIds);
            if (chunk.Scoring is { } scoring)
            {
                Assert.True(scoring.NextTokenIds.Count <= chunk.TokenIds.Count, "more scored positions than the chunk has");
                scores.Add(new ChunkScores(chunk.SequenceId, chunk.Start + 1, scoring.NextTokenIds
                    .Select((id, j) => new TokenLogprob(id, FakeLogprob(chunk.Start + 1 + j, id), 1, [])).ToList()));
            }

            foreach (var target in chunk.Samples)
            {
                if (target.SequenceId != chunk.SequenceId)
                {
                    _cache[target.SequenceId] = [.. cached];
                }

                var token = target.Params.IsGreedy ? (cached[^1] + 1) % vocab : (int)(target.Uniform * vocab);
                var logprob = target.Params.Logprobs is null ? null : new TokenLogprob(token, FakeLogprob(cached.Count, token), 1, []);
                result.Add(new SampledToken(target.SequenceId, token, target.CaptureLogits ? [token] : null, logprob));
            }
        }

        return new RunnerOutput(result, scores);
    }

    public void Release(long sequenceId)
    {
        _cache.Remove(sequenceId);
        Released.Enqueue(sequenceId);
    }

    public void Dispose() => Gate.Dispose();
}
