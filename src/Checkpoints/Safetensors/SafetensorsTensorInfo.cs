namespace VerlOrleans.Checkpoints.Safetensors;

/// <summary>Where one tensor's bytes are: a validated header entry of a safetensors file.</summary>
/// <param name="Name">Tensor name (Hugging Face parameter name).</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Dimensions; empty for a 0-dim scalar.</param>
/// <param name="FilePath">The .safetensors file holding the bytes.</param>
/// <param name="DataOffset">Absolute file offset of the first byte.</param>
/// <param name="ByteLength">Number of bytes (elements × item size).</param>
public sealed record SafetensorsTensorInfo(string Name, TensorDType DType, IReadOnlyList<long> Shape, string FilePath, long DataOffset, long ByteLength)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => ByteLength / DType.ItemSize();
}
