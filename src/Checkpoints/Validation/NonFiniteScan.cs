using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.Validation;

/// <summary>The optional full read that counts NaN/Inf values per tensor.</summary>
internal static class NonFiniteScan
{
    private const int ChunkBytes = 8 << 20;

    public static Dictionary<string, long?> Run(IReadOnlyList<PlannedTensor> tensors, FileHandleCache handles, string file, IssueList issues, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long?>(StringComparer.Ordinal);
        var buffer = new byte[ChunkBytes];
        foreach (var tensor in tensors)
        {
            if (!tensor.DType.IsFloatingPoint())
            {
                counts[tensor.Name] = 0;
                continue;
            }

            var reader = tensor.Open(handles);
            long count = 0;
            int read;
            while ((read = reader.Read(buffer)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                count += DTypeConversion.CountNonFinite(tensor.DType, buffer.AsSpan(0, read));
            }

            counts[tensor.Name] = count;
            if (count > 0)
            {
                issues.Error("non-finite", $"{count} NaN/Inf values", file, tensor.Name);
            }
        }

        return counts;
    }

    public static long Count(SafetensorsTensorInfo tensor)
    {
        if (!tensor.DType.IsFloatingPoint())
        {
            return 0;
        }

        using var handle = File.OpenHandle(tensor.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        var buffer = new byte[(int)Math.Min(ChunkBytes, Math.Max(8, tensor.ByteLength))];
        long count = 0;
        for (long done = 0; done < tensor.ByteLength;)
        {
            var take = (int)Math.Min(buffer.Length, tensor.ByteLength - done);
            FileReads.ReadExactly(handle, buffer.AsSpan(0, take), tensor.DataOffset + done, tensor.FilePath);
            count += DTypeConversion.CountNonFinite(tensor.DType, buffer.AsSpan(0, take));
            done += take;
        }

        return count;
    }
}
