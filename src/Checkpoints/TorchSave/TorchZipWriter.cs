using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace VerlOrleans.Checkpoints.TorchSave;

/// <summary>
/// Writes the zip container of torch.save: stored records whose data starts 64-byte aligned (padding in a
/// local extra field, id 0x4246, as PyTorch does), CRC-32s patched into the local headers after streaming,
/// zip64 fields where sizes or offsets need them, and always a zip64 end record.
/// </summary>
public sealed class TorchZipWriter : IDisposable
{
    private const int Alignment = 64;
    private readonly FileStream _stream;
    private readonly List<(string Name, long HeaderOffset, long Length, uint Crc)> _records = [];
    private (string Name, long HeaderOffset, long DataOffset, Crc32 Crc)? _open;
    private readonly bool _forceZip64;
    private bool _completed;

    public TorchZipWriter(string path)
        : this(path, forceZip64: false)
    {
    }

    /// <param name="path">The file to create.</param>
    /// <param name="forceZip64">Write zip64 size and offset fields for every record, as files over 4 GiB need (lets tests cover that path with small files).</param>
    internal TorchZipWriter(string path, bool forceZip64)
    {
        Path = path;
        _forceZip64 = forceZip64;
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20);
    }

    public string Path { get; }

    /// <summary>A whole small record.</summary>
    public void AddRecord(string name, ReadOnlySpan<byte> data)
    {
        BeginRecord(name, data.Length);
        Write(data);
        EndRecord();
    }

    /// <summary>Starts a record of <paramref name="length"/> bytes; stream them with <see cref="Write"/>, then <see cref="EndRecord"/>.</summary>
    public void BeginRecord(string name, long length)
    {
        if (_open is not null)
        {
            throw new InvalidOperationException($"record '{_open.Value.Name}' is still open");
        }

        var nameBytes = Encoding.UTF8.GetBytes(name);
        var headerOffset = _stream.Position;
        var zip64 = _forceZip64 || length >= uint.MaxValue;
        var zip64Extra = zip64 ? 20 : 0;
        var unpadded = headerOffset + 30 + nameBytes.Length + zip64Extra + 4;
        var padding = (int)((Alignment - (unpadded % Alignment)) % Alignment);
        var header = new byte[30 + nameBytes.Length + zip64Extra + 4 + padding];
        var span = header.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], zip64 ? (ushort)45 : (ushort)20);
        BinaryPrimitives.WriteUInt16LittleEndian(span[12..], 0x21); // DOS date 1980-01-01, as PyTorch writes
        BinaryPrimitives.WriteUInt32LittleEndian(span[18..], zip64 ? uint.MaxValue : (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(span[22..], zip64 ? uint.MaxValue : (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[26..], (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[28..], (ushort)(zip64Extra + 4 + padding));
        nameBytes.CopyTo(span[30..]);
        var extra = span[(30 + nameBytes.Length)..];
        if (zip64)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(extra, 1);
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], 16);
            BinaryPrimitives.WriteInt64LittleEndian(extra[4..], length);
            BinaryPrimitives.WriteInt64LittleEndian(extra[12..], length);
            extra = extra[20..];
        }

        BinaryPrimitives.WriteUInt16LittleEndian(extra, 0x4246);
        BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], (ushort)padding);
        _stream.Write(header);
        _open = (name, headerOffset, _stream.Position, new Crc32());
        _records.Add((name, headerOffset, length, 0));
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        var open = _open ?? throw new InvalidOperationException("no open record");
        _stream.Write(data);
        open.Crc.Append(data);
    }

    public void EndRecord()
    {
        var open = _open ?? throw new InvalidOperationException("no open record");
        var index = _records.Count - 1;
        var written = _stream.Position - open.DataOffset;
        if (written != _records[index].Length)
        {
            throw new InvalidOperationException($"record '{open.Name}' declared {_records[index].Length} bytes, got {written}");
        }

        var crc = open.Crc.GetCurrentHashAsUInt32();
        _records[index] = _records[index] with { Crc = crc };
        var end = _stream.Position;
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, crc);
        _stream.Position = open.HeaderOffset + 14;
        _stream.Write(bytes);
        _stream.Position = end;
        _open = null;
    }

    /// <summary>Writes the central directory and end records and closes the file.</summary>
    public void Complete()
    {
        if (_open is not null)
        {
            throw new InvalidOperationException($"record '{_open.Value.Name}' is still open");
        }

        var directoryOffset = _stream.Position;
        foreach (var (name, headerOffset, length, crc) in _records)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var needs64 = _forceZip64 || length >= uint.MaxValue || headerOffset >= uint.MaxValue;
            var extraLength = needs64 ? 28 : 0;
            var entry = new byte[46 + nameBytes.Length + extraLength];
            var span = entry.AsSpan();
            BinaryPrimitives.WriteUInt32LittleEndian(span, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(span[4..], 45);
            BinaryPrimitives.WriteUInt16LittleEndian(span[6..], needs64 ? (ushort)45 : (ushort)20);
            BinaryPrimitives.WriteUInt16LittleEndian(span[14..], 0x21);
            BinaryPrimitives.WriteUInt32LittleEndian(span[16..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(span[20..], needs64 ? uint.MaxValue : (uint)length);
            BinaryPrimitives.WriteUInt32LittleEndian(span[24..], needs64 ? uint.MaxValue : (uint)length);
            BinaryPrimitives.WriteUInt16LittleEndian(span[28..], (ushort)nameBytes.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(span[30..], (ushort)extraLength);
            BinaryPrimitives.WriteUInt32LittleEndian(span[42..], needs64 ? uint.MaxValue : (uint)headerOffset);
            nameBytes.CopyTo(span[46..]);
            if (needs64)
            {
                var extra = span[(46 + nameBytes.Length)..];
                BinaryPrimitives.WriteUInt16LittleEndian(extra, 1);
                BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], 24);
                BinaryPrimitives.WriteInt64LittleEndian(extra[4..], length);
                BinaryPrimitives.WriteInt64LittleEndian(extra[12..], length);
                BinaryPrimitives.WriteInt64LittleEndian(extra[20..], headerOffset);
            }

            _stream.Write(entry);
        }

        var directorySize = _stream.Position - directoryOffset;
        var zip64End = _stream.Position;
        var end = new byte[56 + 20 + 22];
        var s = end.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, 0x06064b50);
        BinaryPrimitives.WriteInt64LittleEndian(s[4..], 44);
        BinaryPrimitives.WriteUInt16LittleEndian(s[12..], 45);
        BinaryPrimitives.WriteUInt16LittleEndian(s[14..], 45);
        BinaryPrimitives.WriteInt64LittleEndian(s[24..], _records.Count);
        BinaryPrimitives.WriteInt64LittleEndian(s[32..], _records.Count);
        BinaryPrimitives.WriteInt64LittleEndian(s[40..], directorySize);
        BinaryPrimitives.WriteInt64LittleEndian(s[48..], directoryOffset);
        var locator = s[56..];
        BinaryPrimitives.WriteUInt32LittleEndian(locator, 0x07064b50);
        BinaryPrimitives.WriteInt64LittleEndian(locator[8..], zip64End);
        BinaryPrimitives.WriteUInt32LittleEndian(locator[16..], 1);
        var record = s[76..];
        BinaryPrimitives.WriteUInt32LittleEndian(record, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(record[8..], (ushort)Math.Min(_records.Count, ushort.MaxValue));
        BinaryPrimitives.WriteUInt16LittleEndian(record[10..], (ushort)Math.Min(_records.Count, ushort.MaxValue));
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)Math.Min(directorySize, uint.MaxValue));
        BinaryPrimitives.WriteUInt32LittleEndian(record[16..], (uint)Math.Min(directoryOffset, uint.MaxValue));
        _stream.Write(end);
        _stream.Flush(flushToDisk: false);
        _stream.Dispose();
        _completed = true;
    }

    /// <summary>Closes the file; an incomplete one is deleted.</summary>
    public void Dispose()
    {
        if (_completed)
        {
            return;
        }

        _stream.Dispose();
        File.Delete(Path);
        _completed = true;
    }
}
