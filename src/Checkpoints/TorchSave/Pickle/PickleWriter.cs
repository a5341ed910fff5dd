using System.Buffers.Binary;
using System.Text;

namespace VerlOrleans.Checkpoints.TorchSave.Pickle;

/// <summary>Emits protocol-2 pickle opcodes (the subset torch.save uses), with a memo for globals and shared objects.</summary>
public sealed class PickleWriter
{
    private readonly MemoryStream _buffer = new();
    private readonly Dictionary<string, int> _globals = new(StringComparer.Ordinal);
    private int _nextMemo;

    public PickleWriter() => Op(0x80, 2);

    public byte[] ToArray() => _buffer.ToArray();

    public PickleWriter Mark() => Op((byte)'(');

    public PickleWriter Tuple() => Op((byte)'t');

    public PickleWriter EmptyTuple() => Op((byte)')');

    public PickleWriter Tuple1() => Op(0x85);

    public PickleWriter Tuple2() => Op(0x86);

    public PickleWriter Tuple3() => Op(0x87);

    public PickleWriter EmptyList() => Op((byte)']');

    public PickleWriter Append() => Op((byte)'a');

    public PickleWriter Appends() => Op((byte)'e');

    public PickleWriter EmptyDict() => Op((byte)'}');

    public PickleWriter SetItem() => Op((byte)'s');

    public PickleWriter SetItems() => Op((byte)'u');

    public PickleWriter Reduce() => Op((byte)'R');

    public PickleWriter NewObj() => Op(0x81);

    public PickleWriter Build() => Op((byte)'b');

    public PickleWriter BinPersId() => Op((byte)'Q');

    public PickleWriter None() => Op((byte)'N');

    public PickleWriter Bool(bool value) => Op(value ? (byte)0x88 : (byte)0x89);

    public PickleWriter Stop() => Op((byte)'.');

    /// <summary>A GLOBAL, memoised: the second use of the same global is a BINGET, as pickle does.</summary>
    public PickleWriter Global(string module, string name)
    {
        var key = $"{module}\n{name}\n";
        if (_globals.TryGetValue(key, out var memo))
        {
            return Get(memo);
        }

        _buffer.WriteByte((byte)'c');
        _buffer.Write(Encoding.ASCII.GetBytes(key));
        _globals[key] = Put();
        return this;
    }

    /// <summary>A GLOBAL exactly as given, bypassing the memo (for tests that need odd pickles).</summary>
    public PickleWriter RawGlobal(string module, string name)
    {
        _buffer.WriteByte((byte)'c');
        _buffer.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
        return this;
    }

    public PickleWriter String(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        _buffer.WriteByte((byte)'X');
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        _buffer.Write(length);
        _buffer.Write(bytes);
        return this;
    }

    public PickleWriter Int(long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        switch (value)
        {
            case >= 0 and <= byte.MaxValue:
                return Op((byte)'K', (byte)value);
            case >= 0 and <= ushort.MaxValue:
                _buffer.WriteByte((byte)'M');
                BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)value);
                _buffer.Write(bytes[..2]);
                return this;
            case >= int.MinValue and <= int.MaxValue:
                _buffer.WriteByte((byte)'J');
                BinaryPrimitives.WriteInt32LittleEndian(bytes, (int)value);
                _buffer.Write(bytes[..4]);
                return this;
            default:
                _buffer.WriteByte(0x8a);
                _buffer.WriteByte(8);
                BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
                _buffer.Write(bytes);
                return this;
        }
    }

    /// <summary>A tuple of ints.</summary>
    public PickleWriter Ints(IReadOnlyList<long> values)
    {
        switch (values.Count)
        {
            case 0:
                return EmptyTuple();
            case 1:
                return Int(values[0]).Tuple1();
            case 2:
                return Int(values[0]).Int(values[1]).Tuple2();
            case 3:
                return Int(values[0]).Int(values[1]).Int(values[2]).Tuple3();
            default:
                Mark();
                foreach (var value in values)
                {
                    Int(value);
                }

                return Tuple();
        }
    }

    /// <summary>Memoises the top of the stack; returns its memo index.</summary>
    public int Put()
    {
        var index = _nextMemo++;
        if (index < 256)
        {
            Op((byte)'q', (byte)index);
        }
        else
        {
            _buffer.WriteByte((byte)'r');
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, index);
            _buffer.Write(bytes);
        }

        return index;
    }

    public PickleWriter Get(int index)
    {
        if (index < 256)
        {
            return Op((byte)'h', (byte)index);
        }

        _buffer.WriteByte((byte)'j');
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, index);
        _buffer.Write(bytes);
        return this;
    }

    /// <summary>Raw opcode bytes (for tests that build malformed pickles).</summary>
    public PickleWriter Op(params byte[] bytes)
    {
        _buffer.Write(bytes);
        return this;
    }
}
