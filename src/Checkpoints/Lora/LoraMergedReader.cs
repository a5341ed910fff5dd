using System.Numerics;
using System.Runtime.InteropServices;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.Lora;

/// <summary>
/// Streams a <see cref="LoraMergedTensor"/> as float32, a block of rows at a time: the base rows are read and widened
/// to float32, and each row gets <c>scale · Σₖ c[row, k] · basis[k, :]</c> added, where for W [out, in] the
/// coefficients are B's rows and the basis is A, and for a transposed (Conv1D) W [in, out] they are Aᵀ and Bᵀ. The
/// sum runs k = 0..r-1 with a multiply and an add per step (no fused multiply-add), which is PyTorch's float32 result.
/// Memory: A and B as float32 plus one block (about 4 MB) whatever the tensor's size. Rows of a block run in parallel.
/// </summary>
internal sealed class LoraMergedReader : ITensorReader
{
    private const int BlockBytes = 4 << 20;
    private const long ParallelWork = 1 << 18;

    private readonly ITensorReader _base;
    private readonly TensorDType _baseType;
    private readonly string _name;
    private readonly int _rank;
    private readonly int _rows;
    private readonly int _cols;
    private readonly float _scale;
    private readonly float[] _coefficients;
    private readonly float[] _basis;
    private readonly byte[] _input;
    private readonly float[] _block;
    private readonly int _blockRows;
    private int _rowsDone;
    private int _position;
    private int _filled;

    public LoraMergedReader(LoraMergedTensor tensor, FileHandleCache handles)
    {
        _name = tensor.Name;
        _base = tensor.Base.Open(handles);
        _baseType = tensor.Base.DType;
        _rank = tensor.Rank;
        _rows = checked((int)tensor.Shape[0]);
        _cols = checked((int)tensor.Shape[1]);
        _scale = tensor.Scale;
        var a = ReadFloats(tensor.A, handles); // [r, in]
        var b = ReadFloats(tensor.B, handles); // [out, r]
        if (!tensor.Transpose)
        {
            _coefficients = b;                  // row o: B[o, :]
            _basis = a;                         // A [r, in]
        }
        else
        {
            var inputs = (int)tensor.A.Shape[1];
            var outputs = (int)tensor.B.Shape[0];
            _coefficients = Transposed(a, _rank, inputs);   // row i: A[:, i]
            _basis = Transposed(b, outputs, _rank);         // Bᵀ [r, out]
        }

        _blockRows = Math.Clamp(BlockBytes / Math.Max(1, _cols * 4), 1, Math.Max(1, _rows));
        _input = new byte[_blockRows * _cols * _baseType.ItemSize()];
        _block = new float[_blockRows * _cols];
        Remaining = (long)_rows * _cols * 4;
    }

    public long Remaining { get; private set; }

    public int Read(Span<byte> buffer)
    {
        var written = 0;
        while (buffer.Length - written >= 4)
        {
            if (_position == _filled)
            {
                if (_rowsDone == _rows)
                {
                    break;
                }

                FillBlock();
            }

            var available = MemoryMarshal.AsBytes(_block.AsSpan(0, _filled / 4)).Slice(_position);
            var take = Math.Min(available.Length, (buffer.Length - written) / 4 * 4);
            available[..take].CopyTo(buffer[written..]);
            written += take;
            _position += take;
        }

        Remaining -= written;
        return written;
    }

    private void FillBlock()
    {
        var rows = Math.Min(_blockRows, _rows - _rowsDone);
        var bytes = rows * _cols * _baseType.ItemSize();
        for (var read = 0; read < bytes;)
        {
            var n = _base.Read(_input.AsSpan(read, bytes - read));
            if (n == 0)
            {
                throw new InvalidOperationException($"the base weight of '{_name}' ended after {_rowsDone * _cols * _baseType.ItemSize() + read} bytes");
            }

            read += n;
        }

        DTypeConversion.Convert(_baseType, _input.AsSpan(0, bytes), TensorDType.F32, MemoryMarshal.AsBytes(_block.AsSpan(0, rows * _cols)));
        var first = _rowsDone;
        if ((long)rows * _cols * _rank >= ParallelWork && rows > 1)
        {
            Parallel.For(0, rows, i => MergeRow(first + i, _block.AsSpan(i * _cols, _cols)));
        }
        else
        {
            for (var i = 0; i < rows; i++)
            {
                MergeRow(first + i, _block.AsSpan(i * _cols, _cols));
            }
        }

        _rowsDone += rows;
        _position = 0;
        _filled = rows * _cols * 4;
    }

    /// <summary>
    /// w += scale · Σₖ c[row, k] · basis[k, :], each step rounded to float32 as PyTorch's kernels round it. The sums of
    /// 4 vectors of columns stay in registers over k (the order per element is still k = 0, 1, ...).
    /// </summary>
    private void MergeRow(int row, Span<float> weights)
    {
        var coefficients = _coefficients.AsSpan(row * _rank, _rank);
        var basis = _basis.AsSpan();
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<float>.Count;
            var scale = new Vector<float>(_scale);
            for (; i + (4 * width) <= weights.Length; i += 4 * width)
            {
                Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
                for (var k = 0; k < coefficients.Length; k++)
                {
                    var c = new Vector<float>(coefficients[k]);
                    var b = basis.Slice((k * _cols) + i, 4 * width);
                    s0 += new Vector<float>(b) * c;
                    s1 += new Vector<float>(b[width..]) * c;
                    s2 += new Vector<float>(b[(2 * width)..]) * c;
                    s3 += new Vector<float>(b[(3 * width)..]) * c;
                }

                var w = weights.Slice(i, 4 * width);
                (new Vector<float>(w) + (s0 * scale)).CopyTo(w);
                (new Vector<float>(w[width..]) + (s1 * scale)).CopyTo(w[width..]);
                (new Vector<float>(w[(2 * width)..]) + (s2 * scale)).CopyTo(w[(2 * width)..]);
                (new Vector<float>(w[(3 * width)..]) + (s3 * scale)).CopyTo(w[(3 * width)..]);
            }
        }

        for (; i < weights.Length; i++)
        {
            var sum = 0f;
            for (var k = 0; k < coefficients.Length; k++)
            {
                sum += basis[(k * _cols) + i] * coefficients[k];
            }

            weights[i] += sum * _scale;
        }
    }

    private static float[] ReadFloats(PlannedTensor tensor, FileHandleCache handles)
    {
        var raw = new byte[tensor.ByteLength];
        var reader = tensor.Open(handles);
        for (var read = 0; read < raw.Length;)
        {
            var n = reader.Read(raw.AsSpan(read));
            if (n == 0)
            {
                throw new InvalidOperationException($"'{tensor.Name}' ended after {read} of {raw.Length} bytes");
            }

            read += n;
        }

        var values = new float[tensor.ElementCount];
        DTypeConversion.Convert(tensor.DType, raw, TensorDType.F32, MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static float[] Transposed(float[] matrix, int rows, int cols)
    {
        var result = new float[matrix.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                result[(c * rows) + r] = matrix[(r * cols) + c];
            }
        }

        return result;
    }
}
