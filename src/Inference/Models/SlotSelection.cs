using static TorchSharp.torch;

namespace VerlOrleans.Inference.Models;

/// <summary>
/// Which KV cache slots a batch reads, in batch order: a consecutive run is a free view (narrow), anything
/// else a gather (index_select copies the slots' used positions).
/// </summary>
public sealed class SlotSelection : IDisposable
{
    private readonly Tensor? _index;

    public SlotSelection(IReadOnlyList<int> slots, Device device)
    {
        Slots = slots;
        var consecutive = true;
        for (var i = 1; i < slots.Count; i++)
        {
            consecutive &= slots[i] == slots[0] + i;
        }

        if (!consecutive)
        {
            _index = tensor(slots.Select(s => (long)s).ToArray(), dtype: int64, device: device);
        }
    }

    public IReadOnlyList<int> Slots { get; }

    /// <summary>True when the slots are consecutive and reading them copies nothing.</summary>
    public bool IsView => _index is null;

    /// <summary>Rows of <paramref name="cache"/> (slots, ...) for these slots.</summary>
    public Tensor Select(Tensor cache) => _index is null ? cache.narrow(0, Slots[0], Slots.Count) : cache.index_select(0, _index);

    public void Dispose() => _index?.Dispose();
}
