using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace VerlOrleans.Inference.Models;

/// <summary>
/// Float32 matrix-vector product <c>y = W x</c> with AVX2 FMA, for one-token decode on CPU. libtorch 2.10's own
/// <c>mv</c>/<c>mm</c> at one column streams the weight at ~18.6 GB/s on this machine kind (one thread, whatever the
/// thread count). This loop takes two rows at a time, 32 columns (two cache lines a row) per iteration in four
/// independent accumulators a row, and prefetches the next row pair: ~35 GB/s on one core and ~64 GB/s on two
/// (measured side by side over Qwen2.5-0.5B's decode-step matrices; 4 rows × 8 columns without prefetch: 28 and 54).
/// Decode at batch 1 only reads weights, so that is its speed. Sums are reordered relative to BLAS: results agree
/// to float rounding.
/// </summary>
internal static unsafe class CpuMatVec
{
    /// <summary>True where the AVX2 and FMA instructions this loop uses are available.</summary>
    public static bool IsSupported => Avx.IsSupported && Fma.IsSupported && Sse.IsSupported;

    /// <summary>True when <paramref name="weight"/> can be read in place by <see cref="Multiply(Tensor, Tensor, Tensor)"/>.</summary>
    public static bool Accepts(Tensor weight) =>
        IsSupported && weight.device_type == DeviceType.CPU && weight.dtype == ScalarType.Float32 && weight.dim() == 2
        && weight.is_contiguous() && weight.NumberOfElements * sizeof(float) <= int.MaxValue;

    /// <summary>
    /// <paramref name="output"/>[r] = Σ_c <paramref name="weight"/>[r, c] · <paramref name="input"/>[c]. All three are
    /// contiguous float32 CPU tensors: weight (rows, cols), input (cols), output (rows). Creates no tensors, so any
    /// thread may run it.
    /// </summary>
    public static void Multiply(Tensor weight, Tensor input, Tensor output) =>
        Multiply(Floats(weight), Floats(input), Floats(output));

    /// <summary>The same over spans: <paramref name="weight"/> holds <paramref name="output"/>.Length rows of <paramref name="input"/>.Length.</summary>
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
            for (; r + 2 <= rows; r += 2)
            {
                var row = w + ((nint)r * cols);
                RowPair(row, row + cols, x, cols, out y[r], out y[r + 1]);
            }

            if (r < rows)
            {
                y[r] = Row(w + ((nint)r * cols), x, cols);
            }
        }
    }

    private static void RowPair(float* p0, float* p1, float* x, int cols, out float y0, out float y1)
    {
        Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        var ahead = 2 * cols;                                   // the same columns of the next row pair
        var c = 0;
        for (; c + 32 <= cols; c += 32)
        {
            Sse.Prefetch0(p0 + c + ahead);
            Sse.Prefetch0(p0 + c + ahead + 16);
            var x0 = Avx.LoadVector256(x + c);
            var x1 = Avx.LoadVector256(x + c + 8);
            var x2 = Avx.LoadVector256(x + c + 16);
            var x3 = Avx.LoadVector256(x + c + 24);
            a0 = Fma.MultiplyAdd(Avx.LoadVector256(p0 + c), x0, a0);
            a1 = Fma.MultiplyAdd(Avx.LoadVector256(p0 + c + 8), x1, a1);
            a2 = Fma.MultiplyAdd(Avx.LoadVector256(p0 + c + 16), x2, a2);
            a3 = Fma.MultiplyAdd(Avx.LoadVector256(p0 + c + 24), x3, a3);
            b0 = Fma.MultiplyAdd(Avx.LoadVector256(p1 + c), x0, b0);
            b1 = Fma.MultiplyAdd(Avx.LoadVector256(p1 + c + 8), x1, b1);
            b2 = Fma.MultiplyAdd(Avx.LoadVector256(p1 + c + 16), x2, b2);
            b3 = Fma.MultiplyAdd(Avx.LoadVector256(p1 + c + 24), x3, b3);
        }

        for (; c + 8 <= cols; c += 8)
        {
            var xv = Avx.LoadVector256(x + c);
            a0 = Fma.MultiplyAdd(Avx.LoadVector256(p0 + c), xv, a0);
            b0 = Fma.MultiplyAdd(Avx.LoadVector256(p1 + c), xv, b0);
        }

        var s0 = Vector256.Sum(a0 + a1 + (a2 + a3));
        var s1 = Vector256.Sum(b0 + b1 + (b2 + b3));
        for (; c < cols; c++)
        {
            s0 += p0[c] * x[c];
            s1 += p1[c] * x[c];
        }

        y0 = s0;
        y1 = s1;
    }

    private static float Row(float* p, float* x, int cols)
    {
        var a = Vector256<float>.Zero;
        var c = 0;
        for (; c + 8 <= cols; c += 8)
        {
            a = Fma.MultiplyAdd(Avx.LoadVector256(p + c), Avx.LoadVector256(x + c), a);
        }

        var sum = Vector256.Sum(a);
        for (; c < cols; c++)
        {
            sum += p[c] * x[c];
        }

        return sum;
    }

    private static Span<float> Floats(Tensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.bytes);
}
