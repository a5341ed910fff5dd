namespace VerlOrleans.Checkpoints.Megatron;

/// <summary>
/// Checks that a tensor's chunks tile its global shape exactly: every chunk inside the bounds, no two overlapping,
/// and their volumes summing to the whole (so no region is missing).
/// </summary>
internal static class DcpCoverage
{
    /// <summary>Null when the chunks tile <paramref name="entry"/>; otherwise what is wrong.</summary>
    public static string? Check(DcpTensorEntry entry)
    {
        var size = entry.Size;
        long total;
        try
        {
            total = size.Aggregate(1L, (a, b) => checked(a * b));
        }
        catch (OverflowException)
        {
            return $"global shape [{string.Join(", ", size)}] overflows";
        }

        long covered = 0;
        foreach (var (chunk, _) in entry.Chunks)
        {
            if (chunk.Offsets.Length != size.Length || chunk.Sizes.Length != size.Length)
            {
                return $"chunk {chunk} has {chunk.Offsets.Length} dims, the tensor {size.Length}";
            }

            for (var d = 0; d < size.Length; d++)
            {
                if (chunk.Offsets[d] < 0 || chunk.Sizes[d] < 0 || chunk.Offsets[d] > size[d] - chunk.Sizes[d])
                {
                    return $"chunk {chunk} lies outside the global shape [{string.Join(", ", size)}]";
                }
            }

            covered += chunk.ElementCount;
        }

        // Overlaps: chunks are compared within buckets of equal first offset (layers), and across buckets only when
        // their first-dim ranges intersect.
        var sorted = entry.Chunks.Select(c => c.Chunk).Where(c => c.ElementCount > 0).OrderBy(c => size.Length == 0 ? 0 : c.Offsets[0]).ToList();
        for (var i = 0; i < sorted.Count; i++)
        {
            for (var j = i + 1; j < sorted.Count; j++)
            {
                if (size.Length > 0 && sorted[j].Offsets[0] >= sorted[i].Offsets[0] + sorted[i].Sizes[0])
                {
                    break;
                }

                if (Overlap(sorted[i], sorted[j]))
                {
                    return $"chunks {sorted[i]} and {sorted[j]} overlap";
                }
            }
        }

        return covered == total ? null : $"chunks cover {covered} of the {total} elements of [{string.Join(", ", size)}]: a chunk is missing from the metadata";
    }

    private static bool Overlap(DcpChunk a, DcpChunk b)
    {
        for (var d = 0; d < a.Offsets.Length; d++)
        {
            if (a.Offsets[d] >= b.Offsets[d] + b.Sizes[d] || b.Offsets[d] >= a.Offsets[d] + a.Sizes[d])
            {
                return false;
            }
        }

        return true;
    }
}
