using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Checkpoints.Merge;

/// <summary>
/// Streams a <see cref="TensorAssembly"/>'s full tensor in row-major order without building it: for each index
/// of the dimensions before the concatenation dim, each piece contributes one contiguous run of its own
/// elements, read straight from its storage. For Shard(0) that is one long range per rank; any other dim gives
/// shorter runs, still with no more memory than the caller's buffer. Non-contiguous pieces (rare: views with
/// strides) are gathered once into memory.
/// </summary>
public sealed class AssembledTensorReader : ITensorReader
{
    private readonly TensorAssembly _assembly;
    private readonly FileHandleCache _handles;
    private readonly int _itemSize;
    private readonly long _outer;
    private readonly long[] _runElements;
    private readonly byte[]?[] _gathered;
    private long _row;
    private int _piece;
    private long _inRun;

    public AssembledTensorReader(TensorAssembly assembly, FileHandleCache handles)
    {
        _assembly = assembly;
        _handles = handles;
        _itemSize = assembly.DType.ItemSize();
        var dim = assembly.ConcatDim;
        long inner = 1;
        for (var i = dim + 1; i < assembly.Shape.Length; i++)
        {
            inner *= assembly.Shape[i];
        }

        _outer = 1;
        for (var i = 0; i < dim && i < assembly.Shape.Length; i++)
        {
            _outer *= assembly.Shape[i];
        }

        _runElements = assembly.Pieces.Select(p => assembly.Shape.Length == 0 || assembly.Pieces.Count == 1 && dim == 0 ? p.ElementCount : p.Shape[dim] * inner).ToArray();
        _gathered = new byte[]?[assembly.Pieces.Count];
        for (var i = 0; i < assembly.Pieces.Count; i++)
        {
            if (!assembly.Pieces[i].IsContiguous)
            {
                _gathered[i] = TensorBytes.ReadAll(handles.Get(assembly.Pieces[i].Storage.FilePath), assembly.Pieces[i]);
            }
        }

        if (_outer * _runElements.Sum() != assembly.ElementCount)
        {
            throw new InvalidOperationException($"pieces of '{assembly.Name}' hold {_outer * _runElements.Sum()} elements, the tensor {assembly.ElementCount}");
        }

        Remaining = assembly.ByteLength;
        Skip();
    }

    public long Remaining { get; private set; }

    public int Read(Span<byte> buffer)
    {
        var written = 0;
        while (_row < _outer && buffer.Length - written >= _itemSize)
        {
            var piece = _assembly.Pieces[_piece];
            var take = (int)Math.Min(_runElements[_piece] - _inRun, (buffer.Length - written) / _itemSize);
            var first = (_row * _runElements[_piece]) + _inRun;
            var destination = buffer.Slice(written, take * _itemSize);
            if (_gathered[_piece] is { } memory)
            {
                memory.AsSpan((int)(first * _itemSize), destination.Length).CopyTo(destination);
            }
            else
            {
                TensorBytes.ReadRange(_handles.Get(piece.Storage.FilePath), piece, first, destination);
            }

            written += destination.Length;
            _inRun += take;
            Skip();
        }

        Remaining -= written;
        return written;
    }

    /// <summary>Moves past finished runs (and empty pieces) to the next element to read.</summary>
    private void Skip()
    {
        while (_row < _outer && _inRun >= _runElements[_piece])
        {
            _inRun = 0;
            if (++_piece == _runElements.Length)
            {
                _piece = 0;
                _row++;
            }
        }
    }
}
