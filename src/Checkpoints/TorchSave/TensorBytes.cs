using Microsoft.Win32.SafeHandles;
using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.TorchSave;

/// <summary>Reads a <see cref="TorchTensor"/>'s elements from its file, as row-major contiguous bytes.</summary>
public static class TensorBytes
{
    /// <summary>The whole tensor (below 2 GiB), gathering strided views.</summary>
    public static byte[] ReadAll(TorchTensor tensor)
    {
        using var handle = File.OpenHandle(tensor.Storage.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ReadAll(handle, tensor);
    }

    /// <summary>The whole tensor (below 2 GiB) through an open handle of its file.</summary>
    public static byte[] ReadAll(SafeFileHandle handle, TorchTensor tensor)
    {
        tensor.EnsureSound();
        if (tensor.ByteLength > Array.MaxLength)
        {
            throw new CheckpointFormatException(tensor.Storage.FilePath, $"tensor on storage '{tensor.Storage.Key}' is {tensor.ByteLength} bytes, too large to read at once");
        }

        var bytes = new byte[tensor.ByteLength];
        if (tensor.ElementCount == 0)
        {
            return bytes;
        }

        if (tensor.IsContiguous)
        {
            ReadRange(handle, tensor, 0, bytes);
            return bytes;
        }

        Gather(handle, tensor, bytes);
        return bytes;
    }

    /// <summary>Elements [<paramref name="firstElement"/>, + destination.Length / item size) of a contiguous tensor.</summary>
    public static void ReadRange(SafeFileHandle handle, TorchTensor tensor, long firstElement, Span<byte> destination)
    {
        tensor.EnsureSound();
        var itemSize = tensor.DType.ItemSize();
        if (!tensor.IsContiguous)
        {
            throw new InvalidOperationException("ReadRange needs a contiguous tensor");
        }

        if (firstElement < 0 || destination.Length % itemSize != 0 || firstElement + (destination.Length / itemSize) > tensor.ElementCount)
        {
            throw new ArgumentOutOfRangeException(nameof(firstElement), $"elements [{firstElement}, +{destination.Length / itemSize}) are outside a tensor of {tensor.ElementCount}");
        }

        FileReads.ReadExactly(handle, destination, tensor.FileOffsetOf(firstElement), tensor.Storage.FilePath);
    }

    private static void Gather(SafeFileHandle handle, TorchTensor tensor, byte[] destination)
    {
        var itemSize = tensor.DType.ItemSize();
        long last = tensor.StorageOffset;
        for (var i = 0; i < tensor.Shape.Length; i++)
        {
            last += (tensor.Shape[i] - 1) * tensor.Stride[i];
        }

        var spanBytes = (last - tensor.StorageOffset + 1) * itemSize;
        if (spanBytes > Array.MaxLength)
        {
            throw new CheckpointFormatException(tensor.Storage.FilePath, $"strided tensor on storage '{tensor.Storage.Key}' spans {spanBytes} bytes, too large to gather");
        }

        var source = new byte[spanBytes];
        FileReads.ReadExactly(handle, source, tensor.FileOffsetOf(0), tensor.Storage.FilePath);
        var rank = tensor.Shape.Length;
        var index = new long[rank];
        for (long element = 0, written = 0; element < tensor.ElementCount; element++, written += itemSize)
        {
            long offset = 0;
            for (var d = 0; d < rank; d++)
            {
                offset += index[d] * tensor.Stride[d];
            }

            source.AsSpan((int)(offset * itemSize), itemSize).CopyTo(destination.AsSpan((int)written, itemSize));
            for (var d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < tensor.Shape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }
}
