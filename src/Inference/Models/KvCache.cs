using static TorchSharp.torch;

namespace VerlOrleans.Inference.Models;

/// <summary>
/// The key/value cache: per layer one pre-allocated (slots, kv_heads, capacity, head_dim) tensor for keys and one
/// for values. A sequence owns one slot; a step writes its new tokens' keys and values in place at their
/// positions (no per-step concatenation) and attention reads the first positions of the slots it needs.
/// Zero-filled: attention masks unused positions, but a masked NaN would still poison the softmax and the
/// probability-weighted sum, so the memory must hold finite values.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;

    public KvCache(int layers, int slots, int kvHeads, int capacity, int headDim, ScalarType dtype, Device device)
    {
        if (slots < 1 || capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(slots), $"a KV cache needs at least one slot and one position (got {slots} x {capacity})");
        }

        Slots = slots;
        Capacity = capacity;
        _keys = new Tensor[layers];
        _values = new Tensor[layers];
        for (var i = 0; i < layers; i++)
        {
            _keys[i] = zeros([slots, kvHeads, capacity, headDim], dtype: dtype, device: device);
            _values[i] = zeros([slots, kvHeads, capacity, headDim], dtype: dtype, device: device);
        }

        Bytes = 2L * layers * slots * kvHeads * capacity * headDim * ModelFootprint.ElementSize(dtype);
    }

    /// <summary>Sequences the cache can hold at once.</summary>
    public int Slots { get; }

    /// <summary>Positions per slot (the longest sequence, prompt and generated tokens).</summary>
    public int Capacity { get; }

    /// <summary>Allocated bytes, keys and values of all layers.</summary>
    public long Bytes { get; }

    /// <summary>Stores keys and values (tokens, kv_heads, head_dim) of tokens at (slot, position) pairs.</summary>
    public void Write(int layer, Tensor slots, Tensor positions, Tensor keys, Tensor values)
    {
        var indices = new[] { TensorIndex.Tensor(slots), TensorIndex.Colon, TensorIndex.Tensor(positions) };
        _keys[layer].index_put_(keys, indices);
        _values[layer].index_put_(values, indices);
    }

    /// <summary>Layer <paramref name="layer"/>'s whole key and value tensors, (slots, kv_heads, capacity, head_dim) each, for loops that index them directly.</summary>
    internal (Tensor Keys, Tensor Values) Layer(int layer) => (_keys[layer], _values[layer]);

    /// <summary>Keys and values (slots, kv_heads, length, head_dim) of the given slots' first <paramref name="length"/> positions.</summary>
    public (Tensor Keys, Tensor Values) Read(int layer, SlotSelection slots, int length) =>
        (slots.Select(_keys[layer].narrow(2, 0, length)), slots.Select(_values[layer].narrow(2, 0, length)));

    /// <summary>Copies the first <paramref name="length"/> positions of one slot into another (forks and compaction).</summary>
    public void CopySlot(int from, int to, int length)
    {
        if (length == 0 || from == to)
        {
            return;
        }

        using var scope = NewDisposeScope();
        for (var i = 0; i < _keys.Length; i++)
        {
            _keys[i][to].narrow(1, 0, length).copy_(_keys[i][from].narrow(1, 0, length));
            _values[i][to].narrow(1, 0, length).copy_(_values[i][from].narrow(1, 0, length));
        }
    }

    public void Dispose()
    {
        foreach (var tensor in _keys.Concat(_values))
        {
            tensor.Dispose();
        }
    }
}
