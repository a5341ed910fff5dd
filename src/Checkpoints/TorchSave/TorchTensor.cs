using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.TorchSave;

/// <summary>
/// A plain tensor of a torch.save file: a strided view (offset, shape, stride, in elements) into a storage.
/// Construction works out whether every element the view can reach lies inside the storage; the state-dict
/// decoder refuses a tensor with a <see cref="Problem"/>, naming its key, and readers never touch one.
/// </summary>
public sealed class TorchTensor
{
    public TorchTensor(TorchStorage storage, TensorDType dtype, long storageOffset, long[] shape, long[] stride)
    {
        Storage = storage;
        DType = dtype;
        StorageOffset = storageOffset;
        Shape = shape;
        Stride = stride;
        Problem = FindProblem();
        ElementCount = Problem is null ? TensorDTypes.ElementCount(shape)!.Value : 0;
    }

    /// <summary>Why this view cannot be read (extent beyond its storage, negative or overflowing sizes); null when it is sound.</summary>
    public string? Problem { get; }

    public TorchStorage Storage { get; }

    public TensorDType DType { get; }

    public long StorageOffset { get; }

    public long[] Shape { get; }

    public long[] Stride { get; }

    public long ElementCount { get; }

    public long ByteLength => ElementCount * DType.ItemSize();

    /// <summary>True when the view is row-major contiguous (its bytes are one range of the storage).</summary>
    public bool IsContiguous
    {
        get
        {
            long expected = 1;
            for (var i = Shape.Length - 1; i >= 0; i--)
            {
                if (Shape[i] != 1 && Stride[i] != expected)
                {
                    return ElementCount == 0;
                }

                expected *= Shape[i];
            }

            return true;
        }
    }

    /// <summary>Absolute file offset of element <paramref name="index"/> of a contiguous tensor.</summary>
    public long FileOffsetOf(long index) => Storage.DataOffset + ((StorageOffset + index) * DType.ItemSize());

    public override string ToString() => $"{DType.SafetensorsName()}[{string.Join(", ", Shape)}]";

    /// <summary>Throws a <see cref="CheckpointFormatException"/> when the view is not sound.</summary>
    public void EnsureSound()
    {
        if (Problem is not null)
        {
            throw new CheckpointFormatException(Storage.FilePath, Problem);
        }
    }

    private string? FindProblem()
    {
        if (Shape.Length != Stride.Length)
        {
            return $"tensor on storage '{Storage.Key}' has {Shape.Length} sizes but {Stride.Length} strides";
        }

        if (StorageOffset < 0 || Shape.Any(d => d < 0) || Stride.Any(s => s < 0))
        {
            return $"tensor on storage '{Storage.Key}' has a negative offset, size or stride";
        }

        if (TensorDTypes.ElementCount(Shape) is not { } count)
        {
            return $"tensor on storage '{Storage.Key}': shape [{string.Join(", ", Shape)}] overflows";
        }

        if (count == 0)
        {
            return null;
        }

        try
        {
            // Highest element index the view touches, in elements of this tensor's dtype.
            var last = StorageOffset;
            for (var i = 0; i < Shape.Length; i++)
            {
                last = checked(last + checked((Shape[i] - 1) * Stride[i]));
            }

            var storageBytes = Storage.ByteLength;
            return checked((last + 1) * DType.ItemSize()) > storageBytes
                ? $"tensor extent beyond its storage: offset {StorageOffset}, shape [{string.Join(", ", Shape)}], stride [{string.Join(", ", Stride)}] reaches element {last} but storage '{Storage.Key}' holds {storageBytes / DType.ItemSize()} {DType.SafetensorsName()} elements"
                : null;
        }
        catch (OverflowException)
        {
            return $"tensor on storage '{Storage.Key}': extent overflows";
        }
    }
}
