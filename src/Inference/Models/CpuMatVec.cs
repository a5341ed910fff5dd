using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace VerlOrleans.Inference.Models;

/// <summary>
/// Float32 matrix-vector product <c>y = W x</c> with AVX2 FMA, for one-token decode on CPU, where it only reads
/// weights, so its speed is how close it streams them to the machine's read bandwidth. libtorch 2.10's own
/// <c>mv</c>/<c>mm</c> at one column streams at ~18.6 GB/s on this machine kind (one thread, whatever the thread
/// count). Which loop streams best depends on the row length (measured 2026-12-07 on 2 cores, interleaved runs, an
/// AVX sum over the same memory as the ceiling):
/// <list type="bullet">
/// <item>short rows (Qwen2.5-0.5B's 896 columns: qkv, o, gate_up, lm_head): one row at a time, 32 columns an
/// iteration in four accumulators, reaches the ceiling (33.4 vs 33.6 GB/s on gate_up's shape, 29.9 vs 30.6 on
/// qkv's); two rows at a time with software prefetch, the loop before, reached 23.0 and 17.3, and four rows 25.0;</item>
/// <item>long rows (down_proj's 4864): four rows at a time, 8 columns an iteration, each x load used four times,
/// reaches 0.97 of the ceiling (29.9 vs 30.9 GB/s) where one row at a time reaches 26.1 and the old loop 23.0 (x no
/// longer sits in L1 next to the weight stream).</item>
/// </list>
/// Sums are reordered relative to BLAS: results agree to float rounding. The loops are compiled fully optimized from
/// the first call, not through tiered PGO's slower instrumented tier.
/// </summary>
internal static unsafe class CpuMatVec
{
    /// <summary>True where the AVX2 and FMA instructions this loop uses are available.</summary>
    public static bool IsSupported => Avx.IsSupported && Fma.IsSupported;

    /// <summary>True when <paramref name="weight"/> can be read in place by <see cref="MultiplyRows"/>.</summary>
    public static bool Accepts(Tensor weight) =>
        IsSupported && weight.device_type == DeviceType.CPU && weight.dtype == ScalarType.Float32 && weight.dim() == 2
        && weight.is_contiguous() && weight.NumberOfElements * sizeof(float) <= int.MaxValue;

    /// <summary>
    /// Rows <paramref name="firstRow"/> .. +<paramref name="rowCount"/> of <paramref name="output"/> (its elements in
    /// order) = those rows of <paramref name="weight"/> · <paramref name="input"/> (its elements in order) + those of
    /// <paramref name="bias"/>. One row block of a split product, writing straight into the caller's output: no views
    /// to make, so a product of a few MB costs its read and nothing else. Creates no tensors.
    /// </summary>
    public static void MultiplyRows(Tensor weight, Tensor input, Tensor output, Tensor? bias, int firstRow, int rowCount)
    {
        ReadOnlySpan<float> x = Floats(input);
        var y = Floats(output).Slice(firstRow, rowCount);
        Multiply(Floats(weight).Slice(firstRow * x.Length, rowCount * x.Length), x, y);
        if (bias is not null)
        {
            ReadOnlySpan<float> b = Floats(bias).Slice(firstRow, rowCount);
            for (var i = 0; i < y.Length; i++)
            {
                y[i] += b[i];
            }
        }
    }

    /// <summary>
    /// output[r] = Σ_c weight[r, c] · input[c] over spans: <paramref name="weight"/> holds <paramref name="output"/>.Length rows of
    /// <paramref name="input"/>.Length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(ReadOnlySpan<float> weight, ReadOnlySpan<float> input, Span<float> output)
    {
        var cols = input.Length;
        var rows = output.Length;
        if (weight.Length != (long)rows * cols)
        {
            throw new ArgumentException($"weight holds {weight.Length} values, not {rows} rows × {cols}", nameof(weight));
        }

        fixed (float* w = weight)
        fixed (float* x = input)
        fixed (float* y = output)
        {
            var r = 0;
            if (cols > ShortRowColumns)
            {
                for (; r + 4 <= rows; r += 4)
                {
                    RowQuad(w + ((nint)r * cols), x, cols, y + r);
                }
            }

            for (; r < rows; r++)
            {
                y[r] = Row(w + ((nint)r * cols), x, cols);
            }
        }
    }

    // Rows up to this long (8 KiB of x) stream fastest one at a time; longer ones four at a time.
    private const int ShortRowColumns = 2048;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Row(float* p, float* x, int cols)
    {
        Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
        var c = 0;
        for (; c + 32 <= cols; c += 32)
        {
            a0 = Fma.MultiplyAdd(Avx.LoadVector256(p + c), Avx.LoadVector256(x + c), a0);
            a1 = Fma.MultiplyAdd(Avx.LoadVector256(p + c + 8), Avx.LoadVector256(x + c + 8), a1);
            a2 = Fma.MultiplyAdd(Avx.LoadVector256(p + c + 16), Avx.LoadVector256(x + c + 16), a2);
            a3 = Fma.MultiplyAdd(Avx.LoadVector256(p + c + 24), Avx.LoadVector256(x + c + 24), a3);
        }

        for (; c + 8 <= cols; c += 8)
        {
            a0 = Fma.MultiplyAdd(Avx.LoadVector256(p + c), Avx.LoadVector256(x + c), a0);
        }

        var sum = Vector256.Sum(a0 + a1 + (a2 + a3));
        for (; c < cols; c++)
        {
            sum += p[c] * x[c];
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowQuad(float* p0, float* x, int cols, float* y)
    {
        var p1 = p0 + cols;
        var p2 = p1 + cols;
        var p3 = p2 + cols;
        Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
        var c = 0;
        for (; c + 8 <= cols; c += 8)
        {
            var xv = Avx.LoadVector256(x + c);
            a0 = Fma.MultiplyAdd(Avx.LoadVector256(p0 + c), xv, a0);
            a1 = Fma.MultiplyAdd(Avx.LoadVector256(p1 + c), xv, a1);
            a2 = Fma.MultiplyAdd(Avx.LoadVector256(p2 + c), xv, a2);
            a3 = Fma.MultiplyAdd(Avx.LoadVector256(p3 + c), xv, a3);
        }

        float s0 = Vector256.Sum(a0), s1 = Vector256.Sum(a1), s2 = Vector256.Sum(a2), s3 = Vector256.Sum(a3);
        for (; c < cols; c++)
        {
            s0 += p0[c] * x[c];
            s1 += p1[c] * x[c];
            s2 += p2[c] * x[c];
            s3 += p3[c] * x[c];
        }

        y[0] = s0;
        y[1] = s1;
        y[2] = s2;
        y[3] = s3;
    }

    private static Span<float> Floats(Tensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.bytes);
}
