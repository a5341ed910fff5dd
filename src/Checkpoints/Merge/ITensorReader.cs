namespace VerlOrleans.Checkpoints.Merge;

/// <summary>Streams one tensor's bytes in row-major order, in whole elements of its streamed dtype.</summary>
public interface ITensorReader
{
    /// <summary>Bytes not yet read.</summary>
    long Remaining { get; }

    /// <summary>Fills <paramref name="buffer"/> with the next bytes (whole elements) and returns how many; 0 at the end.</summary>
    int Read(Span<byte> buffer);
}
