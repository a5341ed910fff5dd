using System.Security.Cryptography;
using System.Text;
using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.Merge;

/// <summary>
/// A model's identity: SHA-256 over every tensor's name, dtype, shape and bytes, independent of how the
/// weights are split into files or ordered in them (per-tensor digests, combined in name order). Computed
/// while a merge writes, or afterwards from any Hugging Face folder.
/// </summary>
public sealed class ModelContentHash
{
    private readonly SortedDictionary<string, string> _tensors = new(StringComparer.Ordinal);

    /// <summary>Starts one tensor's digest; append its bytes, then <see cref="Add"/> the result.</summary>
    public static IncrementalHash Begin() => IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public void Add(string name, TensorDType dtype, IReadOnlyList<long> shape, IncrementalHash data) =>
        _tensors[name] = $"{dtype.SafetensorsName()}\t{string.Join(",", shape)}\t{Convert.ToHexStringLower(data.GetHashAndReset())}";

    /// <summary>The combined lowercase hex digest.</summary>
    public string Finish()
    {
        using var combined = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, line) in _tensors)
        {
            combined.AppendData(Encoding.UTF8.GetBytes($"{name}\t{line}\n"));
        }

        return Convert.ToHexStringLower(combined.GetHashAndReset());
    }

    /// <summary>The identity of a Hugging Face folder's safetensors weights.</summary>
    public static string Compute(SafetensorsModel model, CancellationToken cancellationToken = default)
    {
        var hash = new ModelContentHash();
        var buffer = new byte[8 << 20];
        foreach (var tensor in model.Tensors.Values)
        {
            using var digest = Begin();
            using var handle = File.OpenHandle(tensor.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read);
            for (long done = 0; done < tensor.ByteLength;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var take = (int)Math.Min(buffer.Length, tensor.ByteLength - done);
                FileReads.ReadExactly(handle, buffer.AsSpan(0, take), tensor.DataOffset + done, tensor.FilePath);
                digest.AppendData(buffer, 0, take);
                done += take;
            }

            hash.Add(tensor.Name, tensor.DType, tensor.Shape, digest);
        }

        return hash.Finish();
    }
}
