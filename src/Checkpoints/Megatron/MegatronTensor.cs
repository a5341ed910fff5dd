using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.Megatron;

/// <summary>
/// A Hugging Face tensor streamed out of a Megatron distributed checkpoint: the rows of <see cref="MegatronSlice"/>
/// in order, each gathered from the chunks (<see cref="MegatronPiece"/>) that cover it. Full-width chunks (TP split
/// along rows, replicated norms) give runs of many rows per read; row-parallel chunks give one run per row and chunk.
/// </summary>
public sealed class MegatronTensor(string name, TensorDType dtype, long[] shape, string layout, IReadOnlyList<(long Start, long Count)> rows, long columns, IReadOnlyList<MegatronPiece> pieces)
    : PlannedTensor(name, dtype, shape, layout)
{
    public IReadOnlyList<(long Start, long Count)> Rows { get; } = rows;

    /// <summary>Elements per row (the trailing dims flattened).</summary>
    public long Columns { get; } = columns;

    public IReadOnlyList<MegatronPiece> Pieces { get; } = pieces;

    public override PlannedTensor WithName(string newName) => newName == Name ? this : new MegatronTensor(newName, DType, Shape, Layout, Rows, Columns, Pieces);

    public override ITensorReader Open(FileHandleCache handles) => new MegatronTensorReader(this, handles);
}
