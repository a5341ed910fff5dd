using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace VerlOrleans.Inference.Models;

/// <summary>
/// Float32 matrix-vector product <c>y = W x</c> with AVX2 FMA, for one-token decode on CPU. libtorch 2.10's own
/// <c>mv</c>/<c>mm</c> at one column streams the weight at ~18.6 GB/s on this machine kind (one thread, whatever the
/// thread count); this loop, four rows at a time (four independent loads in flight), streams ~29.8 GB/s on one core
/// and ~44 GB/s on two (measured side by side over Qwen2.5-0.5B's decode-step matrices). Decode at batch 1 only
/// reads weights, so that is its speed. Sums are reordered relative to BLAS: results agree to float rounding.
/// </summary>
internal static class CpuMatVec
{
    /// <summary>True where the AVX2 and FMA instructions this loop uses are available.</summary>
    public static bool IsSupported => Avx.IsSupported && Fma.IsSupported;

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

        ref var w = ref MemoryMarshal.GetReference(weight);
        ref var x = ref MemoryMarshal.GetReference(input);
        var stride = (nuint)cols;
        var vectorCols = (nuint)(cols & ~7);
        var r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            var row0 = (nuint)r * stride;
            var row1 = row0 + stride;
            var row2 = row1 + stride;
            var row3 = row2 + stride;
            Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (nuint c = 0; c < vectorCols; c += 8)
            {
                var xv = Vector256.LoadUnsafe(ref x, c);
                a0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref w, row0 + c), xv, a0);
                a1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref w, row1 + c), xv, a1);
                a2 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref w, row2 + c), xv, a2);
                a3 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref w, row3 + c), xv, a3);
            }

            output[r] = Vector256.Sum(a0) + Tail(weight, input, row0, vectorCols);
            output[r + 1] = Vector256.Sum(a1) + Tail(weight, input, row1, vectorCols);
            output[r + 2] = Vector256.Sum(a2) + Tail(weight, input, row2, vectorCols);
            output[r + 3] = Vector256.Sum(a3) + Tail(weight, input, row3, vectorCols);
        }

        for (; r < rows; r++)
        {
            var row = (nuint)r * stride;
            var a = Vector256<float>.Zero;
            for (nuint c = 0; c < vectorCols; c += 8)
            {
                a = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref w, row + c), Vector256.LoadUnsafe(ref x, c), a);
            }

            output[r] = Vector256.Sum(a) + Tail(weight, input, row, vectorCols);
        }
    }

    /// <summary>The columns past the last multiple of 8 (none for every model dimension seen so far).</summary>
    private static float Tail(ReadOnlySpan<float> weight, ReadOnlySpan<float> input, nuint row, nuint from)
    {
        var sum = 0f;
        for (var c = (int)from; c < input.Length; c++)
        {
            sum += weight[(int)row + c] * input[c];
        }

        return sum;
    }

    private static Span<float> Floats(Tensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.bytes);
}
