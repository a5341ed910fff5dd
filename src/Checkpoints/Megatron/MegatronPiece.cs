using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Checkpoints.Megatron;

/// <summary>
/// One chunk of a Megatron tensor seen as a block of the per-layer [rows, columns] matrix (columns are every
/// element of a row, i.e. the trailing dims flattened): rows [<see cref="RowStart"/>, + <see cref="RowCount"/>) and
/// flattened columns [<see cref="ColumnStart"/>, + <see cref="ColumnCount"/>). <see cref="LayerIndex"/> is this layer's
/// position inside the chunk (0 unless a chunk spans several layers). <see cref="Tensor"/> is the item's contiguous
/// tensor, read by element index from its <c>.distcp</c> file.
/// </summary>
public sealed record MegatronPiece(long RowStart, long RowCount, long ColumnStart, long ColumnCount, long LayerIndex, TorchTensor Tensor)
{
    /// <summary>The element of <see cref="Tensor"/> holding (row, column) of the per-layer matrix.</summary>
    public long ElementOf(long row, long column) => ((LayerIndex * RowCount) + (row - RowStart)) * ColumnCount + (column - ColumnStart);

    public bool Covers(long row, long column) =>
        row >= RowStart && row < RowStart + RowCount && column >= ColumnStart && column < ColumnStart + ColumnCount;
}
