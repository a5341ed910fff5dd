namespace VerlOrleans.Inference.Engine;

/// <summary>
/// Which KV cache slot each sequence owns. Slots stay packed at 0..Count-1: when a sequence leaves, the one in
/// the last slot moves into the hole, so the decode batch reads a consecutive run of slots as a view.
/// </summary>
internal sealed class SlotTable(int slots)
{
    private readonly long[] _owners = new long[slots];
    private readonly Dictionary<long, (int Slot, int Length)> _bySequence = [];

    public int Count => _bySequence.Count;

    public bool Contains(long sequenceId) => _bySequence.ContainsKey(sequenceId);

    public int SlotOf(long sequenceId) => _bySequence[sequenceId].Slot;

    public int LengthOf(long sequenceId) => _bySequence[sequenceId].Length;

    public int Allocate(long sequenceId)
    {
        if (_bySequence.Count == _owners.Length)
        {
            throw new InvalidOperationException($"all {_owners.Length} KV cache slots are taken; the scheduler admitted too many sequences");
        }

        var slot = _bySequence.Count;
        _owners[slot] = sequenceId;
        _bySequence.Add(sequenceId, (slot, 0));
        return slot;
    }

    public void SetLength(long sequenceId, int length) => _bySequence[sequenceId] = (_bySequence[sequenceId].Slot, length);

    /// <summary>Frees a sequence's slot; returns the move (from, to, positions) that refills it, if any.</summary>
    public (int From, int To, int Length)? Release(long sequenceId)
    {
        if (!_bySequence.Remove(sequenceId, out var freed))
        {
            return null;
        }

        var last = _bySequence.Count;                   // the last occupied slot before this release
        if (freed.Slot == last)
        {
            return null;
        }

        var moved = _owners[last];
        var length = _bySequence[moved].Length;
        _owners[freed.Slot] = moved;
        _bySequence[moved] = (freed.Slot, length);
        return (last, freed.Slot, length);
    }
}
