namespace VerlOrleans.Checkpoints.Safetensors;

/// <summary>Element types a checkpoint tensor can have (the safetensors dtype table).</summary>
public enum TensorDType
{
    BF16,
    F16,
    F32,
    F64,
    I64,
    I32,
    I16,
    I8,
    U8,
    Bool,
}

/// <summary>Sizes and names of <see cref="TensorDType"/> values in the formats we read and write.</summary>
public static class TensorDTypes
{
    /// <summary>Bytes per element.</summary>
    public static int ItemSize(this TensorDType dtype) => dtype switch
    {
        TensorDType.F64 or TensorDType.I64 => 8,
        TensorDType.F32 or TensorDType.I32 => 4,
        TensorDType.BF16 or TensorDType.F16 or TensorDType.I16 => 2,
        TensorDType.I8 or TensorDType.U8 or TensorDType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>True for the floating-point types (the ones a merge may convert).</summary>
    public static bool IsFloatingPoint(this TensorDType dtype) =>
        dtype is TensorDType.BF16 or TensorDType.F16 or TensorDType.F32 or TensorDType.F64;

    /// <summary>The dtype string of the safetensors header ("BF16", "BOOL", ...).</summary>
    public static string SafetensorsName(this TensorDType dtype) => dtype == TensorDType.Bool ? "BOOL" : dtype.ToString();

    /// <summary>Parses a safetensors header dtype; null when the name is not one we support.</summary>
    public static TensorDType? FromSafetensorsName(string name) => name switch
    {
        "BF16" => TensorDType.BF16,
        "F16" => TensorDType.F16,
        "F32" => TensorDType.F32,
        "F64" => TensorDType.F64,
        "I64" => TensorDType.I64,
        "I32" => TensorDType.I32,
        "I16" => TensorDType.I16,
        "I8" => TensorDType.I8,
        "U8" => TensorDType.U8,
        "BOOL" => TensorDType.Bool,
        _ => null,
    };

    /// <summary>The <c>torch_dtype</c> spelling used in Hugging Face config.json ("bfloat16", "float32", ...).</summary>
    public static string TorchName(this TensorDType dtype) => dtype switch
    {
        TensorDType.BF16 => "bfloat16",
        TensorDType.F16 => "float16",
        TensorDType.F32 => "float32",
        TensorDType.F64 => "float64",
        TensorDType.I64 => "int64",
        TensorDType.I32 => "int32",
        TensorDType.I16 => "int16",
        TensorDType.I8 => "int8",
        TensorDType.U8 => "uint8",
        TensorDType.Bool => "bool",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>Number of elements of a shape, or null when it overflows a long.</summary>
    public static long? ElementCount(IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                return null;
            }

            try
            {
                count = checked(count * dim);
            }
            catch (OverflowException)
            {
                return null;
            }
        }

        return count;
    }
}
