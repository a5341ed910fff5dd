namespace VerlOrleans.Evaluation;

/// <summary>NumPy's <c>gen_mask</c>, shared by its legacy and new generators' rejection sampling.</summary>
internal static class BitMasks
{
    /// <summary>The smallest value of the form 2^b − 1 that is ≥ <paramref name="value"/>.</summary>
    public static ulong Covering(ulong value)
    {
        value |= value >> 1;
        value |= value >> 2;
        value |= value >> 4;
        value |= value >> 8;
        value |= value >> 16;
        value |= value >> 32;
        return value;
    }
}
