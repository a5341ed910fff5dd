using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.Merge;

/// <summary>One tensor that differs between two models.</summary>
public sealed record TensorMismatch(string Key, string Problem);

/// <summary>The outcome of comparing a merged model with a reference (verl's <c>test</c> mode).</summary>
/// <param name="Reference">The reference folder.</param>
/// <param name="Passed">No missing or extra keys and every tensor equal in shape, dtype and value (within tolerance).</param>
/// <param name="MissingKeys">Keys the reference has and the merge lacks (sorted).</param>
/// <param name="ExtraKeys">Keys the merge has and the reference lacks (sorted).</param>
/// <param name="Mismatches">Tensors that differ.</param>
public sealed record VerificationReport(string Reference, bool Passed, IReadOnlyList<string> MissingKeys, IReadOnlyList<string> ExtraKeys, IReadOnlyList<TensorMismatch> Mismatches);

/// <summary>
/// Compares two safetensors models like verl's merger <c>test</c> mode: same key set, and per key the same
/// shape, dtype and values within <c>|a-b| &lt;= atol + rtol·|b|</c> (atol = rtol = 1e-6). Streams in chunks.
/// </summary>
public static class ModelComparison
{
    public const double Tolerance = 1e-6;
    private const int ChunkElements = 1 << 20;

    public static VerificationReport Compare(SafetensorsModel actual, SafetensorsModel reference, string referencePath, CancellationToken cancellationToken = default)
    {
        var missing = reference.Tensors.Keys.Where(k => !actual.Tensors.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var extra = actual.Tensors.Keys.Where(k => !reference.Tensors.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var mismatches = new List<TensorMismatch>();
        foreach (var (key, expected) in reference.Tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!actual.Tensors.TryGetValue(key, out var got))
            {
                continue;
            }

            if (!got.Shape.SequenceEqual(expected.Shape))
            {
                mismatches.Add(new TensorMismatch(key, $"shape [{string.Join(", ", got.Shape)}], reference [{string.Join(", ", expected.Shape)}]"));
            }
            else if (got.DType != expected.DType)
            {
                mismatches.Add(new TensorMismatch(key, $"dtype {got.DType.SafetensorsName()}, reference {expected.DType.SafetensorsName()}"));
            }
            else if (FirstDifference(got, expected) is { } problem)
            {
                mismatches.Add(new TensorMismatch(key, problem));
            }
        }

        return new VerificationReport(referencePath, missing.Count == 0 && extra.Count == 0 && mismatches.Count == 0, missing, extra, mismatches);
    }

    private static string? FirstDifference(SafetensorsTensorInfo a, SafetensorsTensorInfo b)
    {
        var itemSize = a.DType.ItemSize();
        using var ha = File.OpenHandle(a.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var hb = File.OpenHandle(b.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        var bufferA = new byte[(int)Math.Min((long)ChunkElements * itemSize, Math.Max(a.ByteLength, 1))];
        var bufferB = new byte[bufferA.Length];
        for (long done = 0; done < a.ByteLength;)
        {
            var take = (int)Math.Min(bufferA.Length, a.ByteLength - done);
            FileReads.ReadExactly(ha, bufferA.AsSpan(0, take), a.DataOffset + done, a.FilePath);
            FileReads.ReadExactly(hb, bufferB.AsSpan(0, take), b.DataOffset + done, b.FilePath);
            if (!bufferA.AsSpan(0, take).SequenceEqual(bufferB.AsSpan(0, take)))
            {
                for (var i = 0; i < take; i += itemSize)
                {
                    var x = DTypeConversion.Read(a.DType, bufferA.AsSpan(i, itemSize));
                    var y = DTypeConversion.Read(b.DType, bufferB.AsSpan(i, itemSize));
                    var bothNaN = double.IsNaN(x) && double.IsNaN(y);
                    if (!bothNaN && !(Math.Abs(x - y) <= Tolerance + (Tolerance * Math.Abs(y))))
                    {
                        return $"element {(done + i) / itemSize} is {x:R}, reference {y:R}";
                    }
                }
            }

            done += take;
        }

        return null;
    }
}
