using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Checkpoints.Merge;

/// <summary>
/// How to produce one full tensor: concatenate <see cref="Pieces"/> (local tensors, in mesh or offset order)
/// along <see cref="ConcatDim"/>. A single piece is used as it is (W = 1, replicated values).
/// </summary>
public sealed class TensorAssembly(string name, TensorDType dtype, long[] shape, int concatDim, IReadOnlyList<TorchTensor> pieces, string layout)
    : PlannedTensor(name, dtype, shape, layout)
{
    public int ConcatDim { get; } = concatDim;

    public IReadOnlyList<TorchTensor> Pieces { get; } = pieces;

    public override PlannedTensor WithName(string newName) => newName == Name ? this : new TensorAssembly(newName, DType, Shape, ConcatDim, Pieces, Layout);

    public override ITensorReader Open(FileHandleCache handles) => new AssembledTensorReader(this, handles);
}
