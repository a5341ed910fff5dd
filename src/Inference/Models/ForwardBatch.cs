using static TorchSharp.torch;

namespace VerlOrleans.Inference.Models;

/// <summary>
/// The tokens of several sequences flattened into one (tokens) axis, as vLLM does, so every projection runs as
/// one product over the whole step with no padding. Only attention needs per-sequence structure: single-token
/// chunks (decode) form one batched group reading their slots up to the longest length with a length mask;
/// each longer chunk (prefill, or a later prefill chunk) is its own group with a causal mask offset by its
/// start position. Token order: the decode group (sorted by slot, so consecutive slots read as a view), then
/// the prefill chunks.
/// </summary>
public sealed class ForwardBatch : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public ForwardBatch(IReadOnlyList<ForwardChunk> chunks, int queryGroupSize, int capacity, ScalarType dtype, Device device)
    {
        if (chunks.Count == 0)
        {
            throw new ArgumentException("a forward pass needs at least one chunk", nameof(chunks));
        }

        var decode = Enumerable.Range(0, chunks.Count).Where(i => chunks[i].TokenIds.Count == 1).OrderBy(i => chunks[i].Slot).ToList();
        var prefill = Enumerable.Range(0, chunks.Count).Where(i => chunks[i].TokenIds.Count > 1).ToList();
        var empty = chunks.FirstOrDefault(c => c.TokenIds.Count == 0);
        if (empty is not null)
        {
            throw new ArgumentException($"chunk for slot {empty.Slot} has no tokens", nameof(chunks));
        }

        var tokens = new List<long>();
        var positions = new List<long>();
        var slots = new List<long>();
        var firstToken = new int[chunks.Count];
        var groups = new List<AttentionGroup>();

        foreach (var i in decode.Concat(prefill))
        {
            var chunk = chunks[i];
            if (chunk.StartPosition < 0 || chunk.EndPosition > capacity)
            {
                throw new ArgumentOutOfRangeException(nameof(chunks), $"slot {chunk.Slot}: positions {chunk.StartPosition}..{chunk.EndPosition} exceed the KV cache capacity {capacity}");
            }

            firstToken[i] = tokens.Count;
            for (var t = 0; t < chunk.TokenIds.Count; t++)
            {
                tokens.Add(chunk.TokenIds[t]);
                positions.Add(chunk.StartPosition + t);
                slots.Add(chunk.Slot);
            }
        }

        if (decode.Count > 0)
        {
            var lengths = decode.Select(i => (long)chunks[i].EndPosition).ToArray();
            var length = (int)lengths.Max();
            var lengthTensor = Own(tensor(lengths, dtype: int64, device: device));
            using var allowed = arange(length, dtype: int64, device: device).unsqueeze(0).lt(lengthTensor.unsqueeze(1));
            var mask = Own(AdditiveMask(allowed, dtype).view(decode.Count, 1, 1, length));
            groups.Add(new AttentionGroup(0, decode.Count, Own(new SlotSelection(decode.Select(i => chunks[i].Slot).ToList(), device)), length, mask, IsDecode: true)
            {
                Lengths = [.. lengths.Select(l => (int)l)],
            });
        }

        foreach (var i in prefill)
        {
            var chunk = chunks[i];
            var count = chunk.TokenIds.Count;
            var length = chunk.EndPosition;
            // (count, length): query t (at position start+t) sees keys 0..start+t; repeated for the query heads
            // folded into the query axis (see DecoderModel.Attention).
            var queryPositions = arange(chunk.StartPosition, chunk.EndPosition, dtype: int64, device: device).unsqueeze(1);
            var causal = arange(length, dtype: int64, device: device).unsqueeze(0).le(queryPositions);
            using var repeated = causal.repeat(queryGroupSize, 1);
            var mask = Own(AdditiveMask(repeated, dtype).view(1, 1, queryGroupSize * count, length));
            queryPositions.Dispose();
            causal.Dispose();
            groups.Add(new AttentionGroup(firstToken[i], count, Own(new SlotSelection([chunk.Slot], device)), length, mask, IsDecode: false));
        }

        var logitRows = new List<long>();
        LogitOffsets = new int[chunks.Count + 1];
        for (var i = 0; i < chunks.Count; i++)
        {
            LogitOffsets[i] = logitRows.Count;
            var count = chunks[i].TokenIds.Count;
            switch (chunks[i].Logits)
            {
                case LogitsWanted.Last:
                    logitRows.Add(firstToken[i] + count - 1);
                    break;
                case LogitsWanted.All:
                    logitRows.AddRange(Enumerable.Range(firstToken[i], count).Select(r => (long)r));
                    break;
            }
        }

        LogitOffsets[chunks.Count] = logitRows.Count;
        TokenCount = tokens.Count;
        TokenPositions = positions.Select(p => (int)p).ToArray();
        TokenSlots = slots.Select(s => (int)s).ToArray();
        TokenIds = Own(tensor(tokens.ToArray(), dtype: int64, device: device));
        Positions = Own(tensor(positions.ToArray(), dtype: int64, device: device));
        Slots = Own(tensor(slots.ToArray(), dtype: int64, device: device));
        LogitRows = logitRows.Count > 0 ? Own(tensor(logitRows.ToArray(), dtype: int64, device: device)) : null;
        Groups = groups;
    }

    public int TokenCount { get; }

    /// <summary>(tokens) token ids, flattened.</summary>
    public Tensor TokenIds { get; }

    /// <summary>(tokens) position of each token in its sequence.</summary>
    public Tensor Positions { get; }

    /// <summary>(tokens) KV cache slot of each token.</summary>
    public Tensor Slots { get; }

    /// <summary><see cref="Positions"/> on the host, for the small-step loops.</summary>
    public IReadOnlyList<int> TokenPositions { get; }

    /// <summary><see cref="Slots"/> on the host, for the small-step loops.</summary>
    public IReadOnlyList<int> TokenSlots { get; }

    /// <summary>(rows) flattened token indices whose logits are computed, in chunk order; null when none are.</summary>
    public Tensor? LogitRows { get; }

    /// <summary>Chunk i's logits are rows LogitOffsets[i] .. LogitOffsets[i+1] of the output.</summary>
    public int[] LogitOffsets { get; }

    public IReadOnlyList<AttentionGroup> Groups { get; }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    /// <summary>
    /// 0 where attending, -inf elsewhere. Additive float masks, not boolean ones: libtorch's CPU attention
    /// took ~2-4 ms for a broadcast boolean decode mask against ~0.01 ms for the same mask as floats.
    /// </summary>
    private static Tensor AdditiveMask(Tensor allowed, ScalarType dtype)
    {
        using var zero = zeros(1, dtype: dtype, device: allowed.device);
        using var blocked = full(1, float.NegativeInfinity, dtype: dtype, device: allowed.device);
        return where(allowed, zero, blocked);
    }

    private T Own<T>(T owned)
        where T : IDisposable
    {
        _owned.Add(owned);
        return owned;
    }
}

/// <summary>
/// Tokens <paramref name="FirstToken"/>.. of the flattened batch that attend together over <paramref name="Slots"/>'
/// first <paramref name="Length"/> cached positions, under an additive mask (0 = attend, -inf = not).
/// </summary>
public sealed record AttentionGroup(int FirstToken, int TokenCount, SlotSelection Slots, int Length, Tensor Mask, bool IsDecode)
{
    /// <summary>Each token's attended length (its position + 1), in token order; empty for a prefill group, whose mask is causal.</summary>
    public IReadOnlyList<int> Lengths { get; init; } = [];
}
