using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Checkpoints.Megatron;

/// <summary>Streams a <see cref="MegatronTensor"/> row by row, in runs as long as the covering chunk allows.</summary>
public sealed class MegatronTensorReader : ITensorReader
{
    private readonly MegatronTensor _tensor;
    private readonly FileHandleCache _handles;
    private readonly int _itemSize;
    private int _range;
    private long _position;

    public MegatronTensorReader(MegatronTensor tensor, FileHandleCache handles)
    {
        _tensor = tensor;
        _handles = handles;
        _itemSize = tensor.DType.ItemSize();
        Remaining = tensor.ByteLength;
    }

    public long Remaining { get; private set; }

    public int Read(Span<byte> buffer)
    {
        var written = 0;
        var columns = _tensor.Columns;
        while (_range < _tensor.Rows.Count && buffer.Length - written >= _itemSize)
        {
            var (start, count) = _tensor.Rows[_range];
            var rangeElements = count * columns;
            if (_position >= rangeElements)
            {
                _range++;
                _position = 0;
                continue;
            }

            var row = start + (_position / columns);
            var column = _position % columns;
            var piece = Find(row, column);
            long run;
            if (piece.ColumnCount == columns)
            {
                // A full-width chunk: the rest of its rows are contiguous in its storage.
                run = Math.Min(((piece.RowStart + piece.RowCount - row) * columns) - column, rangeElements - _position);
            }
            else
            {
                run = piece.ColumnStart + piece.ColumnCount - column;
            }

            run = Math.Min(run, (buffer.Length - written) / _itemSize);
            var destination = buffer.Slice(written, (int)(run * _itemSize));
            TensorBytes.ReadRange(_handles.Get(piece.Tensor.Storage.FilePath), piece.Tensor, piece.ElementOf(row, column), destination);
            written += destination.Length;
            _position += run;
        }

        Remaining -= written;
        return written;
    }

    private MegatronPiece Find(long row, long column)
    {
        foreach (var piece in _tensor.Pieces)
        {
            if (piece.Covers(row, column))
            {
                return piece;
            }
        }

        throw new InvalidOperationException($"'{_tensor.Name}': no chunk covers row {row}, column {column} (validation checks coverage)");
    }
}
