using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.TorchSave;

/// <summary>One storage record of a torch.save file: raw little-endian elements, read lazily by offset.</summary>
/// <param name="FilePath">The .pt file.</param>
/// <param name="Key">Storage key (the record is <c>&lt;prefix&gt;/data/&lt;key&gt;</c>).</param>
/// <param name="DType">Element type of the storage class (U8 for <c>UntypedStorage</c>).</param>
/// <param name="ElementCount">Elements the persistent id declares.</param>
/// <param name="DataOffset">Absolute file offset of the storage's first byte.</param>
public sealed record TorchStorage(string FilePath, string Key, TensorDType DType, long ElementCount, long DataOffset)
{
    public long ByteLength => ElementCount * DType.ItemSize();
}
