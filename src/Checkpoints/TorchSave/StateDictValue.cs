using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.TorchSave;

/// <summary>One value of a saved state dict.</summary>
public abstract class StateDictValue
{
    /// <summary>Logical (global) shape.</summary>
    public abstract IReadOnlyList<long> Shape { get; }

    /// <summary>Element type.</summary>
    public abstract TensorDType? DType { get; }

    /// <summary>A short description for reports (<c>DTensor Shard(0) on mesh [4] (fsdp)</c>).</summary>
    public abstract string Kind { get; }
}

/// <summary>An ordinary tensor: the whole value is in this file.</summary>
public sealed class PlainTensorValue(TorchTensor tensor) : StateDictValue
{
    public TorchTensor Tensor { get; } = tensor;

    public override IReadOnlyList<long> Shape => Tensor.Shape;

    public override TensorDType? DType => Tensor.DType;

    public override string Kind => "tensor";
}

/// <summary>A DTensor: this rank's local tensor plus the global shape, placements and mesh of its spec.</summary>
public sealed class DTensorValue(TorchTensor local, long[] globalShape, IReadOnlyList<Placement> placements, DeviceMeshInfo mesh) : StateDictValue
{
    public TorchTensor Local { get; } = local;

    public IReadOnlyList<Placement> Placements { get; } = placements;

    public DeviceMeshInfo Mesh { get; } = mesh;

    public override IReadOnlyList<long> Shape { get; } = globalShape;

    public override TensorDType? DType => Local.DType;

    public override string Kind => $"DTensor ({string.Join(", ", Placements)}) on {Mesh}";
}

/// <summary>One shard of a ShardedTensor: where its block starts and how big it is in the global tensor, and on which rank.</summary>
public sealed record ShardBlock(IReadOnlyList<long> Offsets, IReadOnlyList<long> Sizes, int Rank);

/// <summary>A ShardedTensor (FSDP1 without a device mesh): this rank's shards and the metadata of all shards.</summary>
public sealed class ShardedTensorValue(long[] globalShape, TensorDType dtype, IReadOnlyList<(TorchTensor Tensor, ShardBlock Block)> localShards, IReadOnlyList<ShardBlock> allShards) : StateDictValue
{
    public IReadOnlyList<(TorchTensor Tensor, ShardBlock Block)> LocalShards { get; } = localShards;

    public IReadOnlyList<ShardBlock> AllShards { get; } = allShards;

    public override IReadOnlyList<long> Shape { get; } = globalShape;

    public override TensorDType? DType { get; } = dtype;

    public override string Kind => $"ShardedTensor ({AllShards.Count} shards)";
}

/// <summary>A value that is not a tensor (e.g. a module's extra state); it cannot be merged into safetensors.</summary>
public sealed class NonTensorValue(string description) : StateDictValue
{
    public string Description { get; } = description;

    public override IReadOnlyList<long> Shape => [];

    public override TensorDType? DType => null;

    public override string Kind => $"not a tensor ({Description})";
}
