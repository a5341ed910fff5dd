using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.Megatron;

/// <summary>One chunk of a global tensor as the <c>.metadata</c> lists it: where it sits and how large it is.</summary>
public sealed record DcpChunk(long[] Offsets, long[] Sizes)
{
    public long ElementCount => Sizes.Aggregate(1L, (a, b) => a * b);

    public override string ToString() => $"offsets [{string.Join(", ", Offsets)}] sizes [{string.Join(", ", Sizes)}]";
}

/// <summary>Where one item's bytes are: <see cref="Length"/> bytes at <see cref="Offset"/> of a <c>.distcp</c> file.</summary>
public sealed record DcpStorageInfo(string RelativePath, long Offset, long Length);

/// <summary>A tensor of a distributed checkpoint: global shape, dtype and its chunks with their storage locations.</summary>
public sealed record DcpTensorEntry(string Key, TensorDType DType, long[] Size, IReadOnlyList<(DcpChunk Chunk, DcpStorageInfo? Storage)> Chunks);

/// <summary>The decoded <c>.metadata</c> of a torch.distributed.checkpoint folder.</summary>
/// <param name="Path">The <c>.metadata</c> file.</param>
/// <param name="Tensors">Tensor entries by key, in saved order.</param>
/// <param name="ByteEntries">Keys of byte (object) entries: TE <c>_extra_state</c>, RNG and optimizer objects.</param>
/// <param name="UndecodableTensors">Tensor keys whose dtype this reader cannot decode, with the dtype's name.</param>
public sealed record DcpMetadata(string Path, IReadOnlyList<DcpTensorEntry> Tensors, IReadOnlyList<string> ByteEntries, IReadOnlyDictionary<string, string> UndecodableTensors);
