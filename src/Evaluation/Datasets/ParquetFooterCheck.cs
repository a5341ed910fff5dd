namespace VerlOrleans.Evaluation.Datasets;

/// <summary>
/// Walks a parquet footer (Thrift compact protocol) before the parquet library sees it, rejecting what no writer
/// produces: lengths and element counts larger than the bytes left, varints over 10 bytes, unknown types, nesting
/// deeper than <see cref="MaxDepth"/>. Parquet.Net trusts these counts; a damaged one makes it spin for minutes.
/// </summary>
internal static class ParquetFooterCheck
{
    private const int MaxDepth = 32;

    /// <summary>Largest footer accepted; real footers are kilobytes to a few megabytes.</summary>
    private const long MaxFooterBytes = 256L << 20;

    private static readonly byte[] Magic = "PAR1"u8.ToArray();

    /// <summary>
    /// Checks the magic at both ends, the footer length and the footer itself; returns null when the file may be
    /// handed to Parquet.Net, else what is wrong. Leaves the stream at position 0.
    /// </summary>
    public static string? ProblemWithFile(Stream stream)
    {
        if (stream.Length < 12)
        {
            return $"{stream.Length} bytes is too short for a parquet file";
        }

        Span<byte> head = stackalloc byte[4];
        Span<byte> tail = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(head);
        stream.Position = stream.Length - 8;
        stream.ReadExactly(tail);
        stream.Position = 0;
        if (!head.SequenceEqual(Magic) || !tail[4..].SequenceEqual(Magic))
        {
            return "not a parquet file (no PAR1 magic at both ends)";
        }

        var footerLength = BitConverter.ToUInt32(tail[..4]);
        if (footerLength > stream.Length - 12 || footerLength > MaxFooterBytes)
        {
            return $"footer length {footerLength} does not fit the {stream.Length}-byte file";
        }

        var footer = new byte[footerLength];
        stream.Position = stream.Length - 8 - footerLength;
        stream.ReadExactly(footer);
        stream.Position = 0;
        return Problem(footer);
    }

    /// <summary>Returns null when the footer is well-formed, else what is wrong with it.</summary>
    public static string? Problem(ReadOnlySpan<byte> footer)
    {
        var position = 0;
        try
        {
            SkipStruct(footer, ref position, 0);
            return null;
        }
        catch (FormatException e)
        {
            return $"damaged footer at byte {position} of {footer.Length}: {e.Message}";
        }
    }

    private static void SkipStruct(ReadOnlySpan<byte> data, ref int position, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"structures nest deeper than {MaxDepth}");
        }

        while (true)
        {
            var header = Byte(data, ref position);
            if (header == 0)
            {
                return;
            }

            if (header >> 4 == 0)
            {
                Varint(data, ref position);
            }

            SkipValue(data, ref position, header & 0x0F, depth, inContainer: false);
        }
    }

    private static void SkipValue(ReadOnlySpan<byte> data, ref int position, int type, int depth, bool inContainer)
    {
        switch (type)
        {
            case 1 or 2:
                // A bool field carries its value in the header; a bool inside a list or map takes one byte.
                if (inContainer)
                {
                    Byte(data, ref position);
                }

                break;
            case 3:
                Byte(data, ref position);
                break;
            case 4 or 5 or 6:
                Varint(data, ref position);
                break;
            case 7:
                Take(data, ref position, 8);
                break;
            case 8:
                Take(data, ref position, Count(data, ref position, Varint(data, ref position)));
                break;
            case 9 or 10:
                var listHeader = Byte(data, ref position);
                var size = listHeader >> 4 == 15 ? Varint(data, ref position) : (ulong)(listHeader >> 4);
                var elements = Count(data, ref position, size);
                for (var i = 0; i < elements; i++)
                {
                    SkipValue(data, ref position, listHeader & 0x0F, depth + 1, inContainer: true);
                }

                break;
            case 11:
                var entries = Count(data, ref position, Varint(data, ref position));
                if (entries > 0)
                {
                    var kinds = Byte(data, ref position);
                    for (var i = 0; i < entries; i++)
                    {
                        SkipValue(data, ref position, kinds >> 4, depth + 1, inContainer: true);
                        SkipValue(data, ref position, kinds & 0x0F, depth + 1, inContainer: true);
                    }
                }

                break;
            case 12:
                SkipStruct(data, ref position, depth + 1);
                break;
            default:
                throw new FormatException($"unknown Thrift type {type}");
        }
    }

    /// <summary>A length or element count: every element takes at least one byte, so it cannot exceed what is left.</summary>
    private static int Count(ReadOnlySpan<byte> data, ref int position, ulong value) =>
        value <= (ulong)(data.Length - position) ? (int)value : throw new FormatException($"a length of {value} exceeds the {data.Length - position} bytes left");

    private static byte Byte(ReadOnlySpan<byte> data, ref int position) =>
        position < data.Length ? data[position++] : throw new FormatException("ends in the middle of a value");

    private static void Take(ReadOnlySpan<byte> data, ref int position, int count)
    {
        if (count > data.Length - position)
        {
            throw new FormatException("ends in the middle of a value");
        }

        position += count;
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = Byte(data, ref position);
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("a varint runs past 10 bytes");
    }
}
