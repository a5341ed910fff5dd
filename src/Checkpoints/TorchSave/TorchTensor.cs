using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.TorchSave;

/// <summary>
/// A plain tensor of a torch.save file: a strided view (offset, shape, stride, in elements) into a storage.
/// Construction checks that every element the view can reach lies inside the storage.
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
        if (shape.Length != stride.Length)
        {
            throw new CheckpointFormatException(storage.FilePath, $"tensor on storage '{storage.Key}' has {shape.Length} sizes but {stride.Length} strides");
        }

        if (storageOffset < 0 || shape.Any(d => d < 0) || stride.Any(s => s < 0))
        {
            throw new CheckpointFormatException(storage.FilePath, $"tensor on storage '{storage.Key}' has a negative offset, size or stride");
        }

        ElementCount = TensorDTypes.ElementCount(shape)
            ?? throw new CheckpointFormatException(storage.FilePath, $"tensor on storage '{storage.Key}': shape [{string.Join(", ", shape)}] overflows");
        if (ElementCount > 0)
        {
            // Highest element index the view touches, in elements of this tensor's dtype.
            var last = storageOffset;
            for (var i = 0; i < shape.Length; i++)
            {
                last = CheckedAdd(storage, last, CheckedMultiply(storage, shape[i] - 1, stride[i]));
            }

            var storageBytes = storage.ByteLength;
            if (CheckedMultiply(storage, last + 1, dtype.ItemSize()) > storageBytes)
            {
                throw new CheckpointFormatException(storage.FilePath,
                    $"tensor extent beyond its storage: offset {storageOffset}, shape [{string.Join(", ", shape)}], stride [{string.Join(", ", stride)}] reaches element {last} but storage '{storage.Key}' holds {storageBytes / dtype.ItemSize()} {dtype.SafetensorsName()} elements");
            }
        }
    }

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

    private static long CheckedMultiply(TorchStorage storage, long a, long b)
    {
        try
        {
            return checked(a * b);
        }
        catch (OverflowException)
        {
            throw new CheckpointFormatException(storage.FilePath, $"tensor on storage '{storage.Key}': extent overflows");
        }
    }

    private static long CheckedAdd(TorchStorage storage, long a, long b)
    {
        try
        {
            return checked(a + b);
        }
        catch (OverflowException)
        {
            throw new CheckpointFormatException(storage.FilePath, $"tensor on storage '{storage.Key}': extent overflows");
        }
    }
}
