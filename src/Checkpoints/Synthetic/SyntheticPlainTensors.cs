using System.Buffers.Binary;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Checkpoints.Synthetic;

/// <summary>
/// A plain-tensor state dict covering every dtype (plus 0-dim and empty tensors), written with the project's
/// torch.save writer; element j of tensor t has a closed-form value (<see cref="Value"/>) that a PyTorch script
/// recomputes to prove real torch loads our files.
/// </summary>
public static class SyntheticPlainTensors
{
    public static readonly IReadOnlyList<(string Name, TensorDType DType, long[] Shape)> Tensors =
    [
        ("f32", TensorDType.F32, [2, 3]),
        ("bf16", TensorDType.BF16, [4]),
        ("f16", TensorDType.F16, [3]),
        ("f64", TensorDType.F64, [2]),
        ("i64", TensorDType.I64, [3]),
        ("i32", TensorDType.I32, [2]),
        ("i16", TensorDType.I16, [2]),
        ("i8", TensorDType.I8, [3]),
        ("u8", TensorDType.U8, [3]),
        ("bool", TensorDType.Bool, [4]),
        ("scalar", TensorDType.F32, []),
        ("empty", TensorDType.F32, [0, 3]),
    ];

    /// <summary>Floats: (j+1)·0.5·(t+1)·(-1)^j; signed ints: (j-1)·(t+3); u8: 100·j mod 256; bool: j even.</summary>
    public static double Value(int t, long j, TensorDType dtype) => dtype switch
    {
        _ when dtype.IsFloatingPoint() => (j + 1) * 0.5 * (t + 1) * (j % 2 == 0 ? 1 : -1),
        TensorDType.U8 => (100 * j) % 256,
        TensorDType.Bool => j % 2 == 0 ? 1 : 0,
        _ => (j - 1) * (t + 3),
    };

    public static void Write(string path)
    {
        var entries = Tensors.Select(t => new TorchSaveTensor(t.Name, t.DType, t.Shape)).ToList();
        TorchSaveWriter.Write(path, entries, (t, zip) =>
        {
            var (_, dtype, shape) = Tensors[t];
            var count = TensorDTypes.ElementCount(shape)!.Value;
            var bytes = new byte[count * dtype.ItemSize()];
            for (var j = 0; j < count; j++)
            {
                Encode(dtype, Value(t, j, dtype), bytes.AsSpan(j * dtype.ItemSize()));
            }

            zip.Write(bytes);
        });
    }

    private static void Encode(TensorDType dtype, double value, Span<byte> destination)
    {
        switch (dtype)
        {
            case TensorDType.F32: BinaryPrimitives.WriteSingleLittleEndian(destination, (float)value); break;
            case TensorDType.F64: BinaryPrimitives.WriteDoubleLittleEndian(destination, value); break;
            case TensorDType.F16: BinaryPrimitives.WriteHalfLittleEndian(destination, (Half)value); break;
            case TensorDType.BF16: BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)(BitConverter.SingleToUInt32Bits((float)value) >> 16)); break;
            case TensorDType.I64: BinaryPrimitives.WriteInt64LittleEndian(destination, (long)value); break;
            case TensorDType.I32: BinaryPrimitives.WriteInt32LittleEndian(destination, (int)value); break;
            case TensorDType.I16: BinaryPrimitives.WriteInt16LittleEndian(destination, (short)value); break;
            case TensorDType.I8: destination[0] = (byte)(sbyte)value; break;
            default: destination[0] = (byte)value; break;
        }
    }
}
