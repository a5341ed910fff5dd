using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.Merge;

/// <summary>
/// Floating-point conversions with PyTorch's rounding: round-to-nearest-even, NaN to the canonical quiet NaN
/// (bf16 0x7FC0), float64 narrowed through float32 as <c>c10::BFloat16</c>/<c>c10::Half</c> do.
/// Integer and bool tensors are never converted.
/// </summary>
public static class DTypeConversion
{
    /// <summary>The dtype a tensor of <paramref name="source"/> type is written as when the output dtype is <paramref name="requested"/> (null = keep).</summary>
    public static TensorDType OutputType(TensorDType source, TensorDType? requested) =>
        requested is { } target && source.IsFloatingPoint() ? target : source;

    /// <summary>Converts whole elements of <paramref name="source"/> into <paramref name="destination"/> (sized exactly for the output type).</summary>
    public static void Convert(TensorDType from, ReadOnlySpan<byte> source, TensorDType to, Span<byte> destination)
    {
        if (from == to)
        {
            source.CopyTo(destination);
            return;
        }

        var count = source.Length / from.ItemSize();
        if (destination.Length != count * to.ItemSize())
        {
            throw new ArgumentException($"destination holds {destination.Length} bytes, {count} {to} elements need {count * to.ItemSize()}", nameof(destination));
        }

        if (from == TensorDType.F32 && to == TensorDType.BF16)
        {
            FloatToBFloat16(MemoryMarshal.Cast<byte, uint>(source), MemoryMarshal.Cast<byte, ushort>(destination));
            return;
        }

        if (from == TensorDType.BF16 && to == TensorDType.F32)
        {
            var input = MemoryMarshal.Cast<byte, ushort>(source);
            var output = MemoryMarshal.Cast<byte, uint>(destination);
            for (var i = 0; i < input.Length; i++)
            {
                output[i] = (uint)input[i] << 16;
            }

            return;
        }

        for (var i = 0; i < count; i++)
        {
            var value = Read(from, source.Slice(i * from.ItemSize()));
            Write(to, value, destination.Slice(i * to.ItemSize()));
        }
    }

    /// <summary>Counts NaN and ±Inf elements (0 for non-floating types).</summary>
    public static long CountNonFinite(TensorDType dtype, ReadOnlySpan<byte> data)
    {
        long count = 0;
        switch (dtype)
        {
            case TensorDType.F32:
                foreach (var bits in MemoryMarshal.Cast<byte, uint>(data))
                {
                    count += (bits & 0x7F800000u) == 0x7F800000u ? 1 : 0;
                }

                break;
            case TensorDType.BF16:
                foreach (var bits in MemoryMarshal.Cast<byte, ushort>(data))
                {
                    count += (bits & 0x7F80) == 0x7F80 ? 1 : 0;
                }

                break;
            case TensorDType.F16:
                foreach (var bits in MemoryMarshal.Cast<byte, ushort>(data))
                {
                    count += (bits & 0x7C00) == 0x7C00 ? 1 : 0;
                }

                break;
            case TensorDType.F64:
                foreach (var bits in MemoryMarshal.Cast<byte, ulong>(data))
                {
                    count += (bits & 0x7FF0000000000000ul) == 0x7FF0000000000000ul ? 1 : 0;
                }

                break;
        }

        return count;
    }

    /// <summary>One element as a double (floating types only), for comparisons.</summary>
    public static double Read(TensorDType dtype, ReadOnlySpan<byte> element) => dtype switch
    {
        TensorDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(element),
        TensorDType.F64 => BinaryPrimitives.ReadDoubleLittleEndian(element),
        TensorDType.F16 => (double)BinaryPrimitives.ReadHalfLittleEndian(element),
        TensorDType.BF16 => BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(element) << 16),
        TensorDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(element),
        TensorDType.I32 => BinaryPrimitives.ReadInt32LittleEndian(element),
        TensorDType.I16 => BinaryPrimitives.ReadInt16LittleEndian(element),
        TensorDType.I8 => (sbyte)element[0],
        TensorDType.U8 => element[0],
        TensorDType.Bool => element[0] != 0 ? 1 : 0,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    private static void Write(TensorDType dtype, double value, Span<byte> destination)
    {
        // PyTorch narrows double to float first, then to half/bfloat16.
        var single = (float)value;
        switch (dtype)
        {
            case TensorDType.F32:
                BinaryPrimitives.WriteSingleLittleEndian(destination, single);
                break;
            case TensorDType.F64:
                BinaryPrimitives.WriteDoubleLittleEndian(destination, value);
                break;
            case TensorDType.F16:
                BinaryPrimitives.WriteHalfLittleEndian(destination, (Half)single);
                break;
            case TensorDType.BF16:
                BinaryPrimitives.WriteUInt16LittleEndian(destination, ToBFloat16(BitConverter.SingleToUInt32Bits(single)));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a floating-point type");
        }
    }

    private static ushort ToBFloat16(uint bits) =>
        (bits & 0x7FFFFFFFu) > 0x7F800000u ? (ushort)0x7FC0 : (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);

    private static void FloatToBFloat16(ReadOnlySpan<uint> input, Span<ushort> output)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var bias = Vector256.Create(0x7FFFu);
            var one = Vector256.Create(1u);
            var absMask = Vector256.Create(0x7FFFFFFFu);
            var infinity = Vector256.Create(0x7F800000u);
            var quietNaN = Vector256.Create(0x7FC0u);
            for (; i + 16 <= input.Length; i += 16)
            {
                var a = Vector256.Create(input.Slice(i, 8));
                var b = Vector256.Create(input.Slice(i + 8, 8));
                var ra = Vector256.ConditionalSelect(Vector256.GreaterThan(a & absMask, infinity), quietNaN, (a + bias + ((a >> 16) & one)) >> 16);
                var rb = Vector256.ConditionalSelect(Vector256.GreaterThan(b & absMask, infinity), quietNaN, (b + bias + ((b >> 16) & one)) >> 16);
                Vector256.Narrow(ra, rb).CopyTo(output.Slice(i, 16));
            }
        }

        for (; i < input.Length; i++)
        {
            output[i] = ToBFloat16(input[i]);
        }
    }
}
