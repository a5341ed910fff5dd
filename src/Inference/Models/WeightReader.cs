using Microsoft.Win32.SafeHandles;
using TorchSharp;
using VerlOrleans.Checkpoints;
using VerlOrleans.Checkpoints.Safetensors;
using static TorchSharp.torch;

namespace VerlOrleans.Inference.Models;

/// <summary>
/// Copies safetensors tensors into destination tensors: straight from the file into the destination's memory
/// when it is a CPU tensor of the file's dtype (one copy), otherwise through a CPU staging tensor of the file's
/// dtype that <c>copy_</c> converts and uploads. Reads are chunked because a span is limited to 2 GiB.
/// </summary>
internal sealed class WeightReader(SafetensorsModel model) : IDisposable
{
    private const long ChunkBytes = 1L << 30;

    private readonly Dictionary<string, SafeFileHandle> _handles = new(StringComparer.Ordinal);

    /// <summary>Bytes read from files so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>The tensor info for <paramref name="name"/>, checked against the expected shape.</summary>
    public SafetensorsTensorInfo Find(string name, long[] shape)
    {
        if (!model.Tensors.TryGetValue(name, out var info))
        {
            throw new CheckpointFormatException(model.Source, $"tensor '{name}' is missing (the config says it exists)");
        }

        if (!info.Shape.SequenceEqual(shape))
        {
            throw new CheckpointFormatException(info.FilePath, $"tensor '{name}' has shape [{string.Join(", ", info.Shape)}], the config implies [{string.Join(", ", shape)}]");
        }

        if (!info.DType.IsFloatingPoint() || info.DType == TensorDType.F64)
        {
            throw new CheckpointFormatException(info.FilePath, $"tensor '{name}' is {info.DType}; weights must be F32, BF16 or F16");
        }

        return info;
    }

    /// <summary>Fills <paramref name="destination"/> (contiguous, same shape) with tensor <paramref name="name"/>.</summary>
    public void ReadInto(string name, Tensor destination)
    {
        var info = Find(name, destination.shape);
        var fileType = ScalarTypeOf(info.DType);
        if (destination.device_type == DeviceType.CPU && destination.dtype == fileType && destination.is_contiguous())
        {
            ReadBytes(info, destination);
            return;
        }

        using var staging = empty(destination.shape, dtype: fileType);
        ReadBytes(info, staging);
        destination.copy_(staging);
    }

    public void Dispose()
    {
        foreach (var handle in _handles.Values)
        {
            handle.Dispose();
        }

        _handles.Clear();
    }

    private void ReadBytes(SafetensorsTensorInfo info, Tensor destination)
    {
        if (!_handles.TryGetValue(info.FilePath, out var handle))
        {
            handle = File.OpenHandle(info.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read);
            _handles.Add(info.FilePath, handle);
        }

        using var flat = destination.view(-1);
        var itemSize = info.DType.ItemSize();
        var elementsPerChunk = ChunkBytes / itemSize;
        for (long element = 0; element < flat.shape[0]; element += elementsPerChunk)
        {
            using var chunk = flat.narrow(0, element, Math.Min(elementsPerChunk, flat.shape[0] - element));
            var span = chunk.bytes;
            var offset = info.DataOffset + element * itemSize;
            while (!span.IsEmpty)
            {
                var read = RandomAccess.Read(handle, span, offset);
                if (read == 0)
                {
                    throw new CheckpointFormatException(info.FilePath, $"tensor '{info.Name}' ends early at byte {offset}");
                }

                span = span[read..];
                offset += read;
                BytesRead += read;
            }
        }
    }

    private static ScalarType ScalarTypeOf(TensorDType dtype) => dtype switch
    {
        TensorDType.F32 => ScalarType.Float32,
        TensorDType.BF16 => ScalarType.BFloat16,
        TensorDType.F16 => ScalarType.Float16,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };
}
