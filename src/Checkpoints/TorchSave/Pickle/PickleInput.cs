using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace VerlOrleans.Checkpoints.TorchSave.Pickle;

/// <summary>
/// The pickle byte stream: a cursor with bounds-checked reads (every length is checked against what is left
/// before anything is allocated) and the opcodes that only push a constant (ints, floats, strings, bytes).
/// </summary>
internal sealed class PickleInput(string path, byte[] data)
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private readonly byte[] _data = data;

    public int Position { get; private set; }

    public bool AtEnd => Position >= _data.Length;

    public CheckpointFormatException Error(string problem) => new(path, $"data.pkl byte {Position}: {problem}");

    /// <summary>Reads the operand of a constant-pushing opcode; false when <paramref name="opcode"/> is not one.</summary>
    public bool TryReadConstant(byte opcode, out object? value)
    {
        switch (opcode)
        {
            case (byte)'N':
                value = null;
                return true;
            case 0x88:
                value = true;
                return true;
            case 0x89:
                value = false;
                return true;
            case (byte)'J': // BININT
                value = (long)BinaryPrimitives.ReadInt32LittleEndian(Take(4));
                return true;
            case (byte)'K': // BININT1
                value = (long)ReadByte();
                return true;
            case (byte)'M': // BININT2
                value = (long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
                return true;
            case (byte)'I': // INT (text; "00"/"01" are booleans)
                value = ParseTextInt(ReadLine());
                return true;
            case (byte)'L': // LONG (text)
                value = ParseTextInt(ReadLine().TrimEnd('L'));
                return true;
            case 0x8a: // LONG1
                value = ReadLong(ReadByte());
                return true;
            case 0x8b: // LONG4
                value = ReadLong(ReadInt32Length());
                return true;
            case (byte)'G': // BINFLOAT (big-endian)
                value = BinaryPrimitives.ReadDoubleBigEndian(Take(8));
                return true;
            case (byte)'F': // FLOAT (text)
                {
                    var text = ReadLine();
                    value = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : throw Error($"'{text}' is not a float");
                    return true;
                }

            case (byte)'X': // BINUNICODE
                value = ReadUtf8(ReadInt32Length());
                return true;
            case 0x8c: // SHORT_BINUNICODE
                value = ReadUtf8(ReadByte());
                return true;
            case 0x8d: // BINUNICODE8
                value = ReadUtf8(ReadInt64Length());
                return true;
            case (byte)'T': // BINSTRING (Python 2 str): kept as bytes
                value = Take(ReadInt32Length()).ToArray();
                return true;
            case (byte)'U': // SHORT_BINSTRING
                value = Take(ReadByte()).ToArray();
                return true;
            case (byte)'B': // BINBYTES
                value = Take(ReadInt32Length()).ToArray();
                return true;
            case (byte)'C': // SHORT_BINBYTES
                value = Take(ReadByte()).ToArray();
                return true;
            case 0x8e: // BINBYTES8
            case 0x96: // BYTEARRAY8
                value = Take(ReadInt64Length()).ToArray();
                return true;
            default:
                value = null;
                return false;
        }
    }

    public byte ReadByte()
    {
        if (Position >= _data.Length)
        {
            throw Error("unexpected end of pickle");
        }

        return _data[Position++];
    }

    public ReadOnlySpan<byte> Take(long count)
    {
        if (count < 0 || count > _data.Length - Position)
        {
            throw Error($"a {count}-byte value runs past the end of the {_data.Length}-byte pickle");
        }

        var span = _data.AsSpan(Position, (int)count);
        Position += (int)count;
        return span;
    }

    public int ReadInt32Length()
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        return length >= 0 ? length : throw Error($"negative length {length}");
    }

    public long ReadInt64Length()
    {
        var length = BinaryPrimitives.ReadInt64LittleEndian(Take(8));
        return length >= 0 ? length : throw Error($"negative length {length}");
    }

    private object ReadLong(int byteCount)
    {
        var bytes = Take(byteCount);
        if (byteCount == 0)
        {
            return 0L;
        }

        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private string ReadUtf8(long count)
    {
        var bytes = Take(count);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error("string is not valid UTF-8");
        }
    }

    public string ReadLine()
    {
        var end = Array.IndexOf(_data, (byte)'\n', Position);
        if (end < 0 || end - Position > 4096)
        {
            throw Error("text argument without an end of line");
        }

        var line = Encoding.ASCII.GetString(_data, Position, end - Position);
        Position = end + 1;
        return line;
    }

    private object ParseTextInt(string text) => text switch
    {
        "00" => false,
        "01" => true,
        _ => BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? (value >= long.MinValue && value <= long.MaxValue ? (long)value : value)
            : throw Error($"'{text}' is not an integer"),
    };

    public long ParseMemoIndex(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : throw Error($"'{text}' is not a memo index");
}
