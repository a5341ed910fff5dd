using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace VerlOrleans.Checkpoints.TorchSave;

/// <summary>
/// Strict reader of the zip container torch.save writes: stored records only, zip64 end records, data offsets
/// computed from each local header (PyTorch pads local headers with an extra field so data is 64-byte aligned).
/// Every size and offset is bounds-checked against the file before anything is allocated from it.
/// </summary>
public static class ZipDirectoryReader
{
    /// <summary>Upper bound on records (a state dict with a million storages is not a checkpoint).</summary>
    public const int MaxRecords = 1_000_000;

    /// <summary>Upper bound on the central directory's size.</summary>
    public const long MaxCentralDirectoryBytes = 256L << 20;

    private const uint EndOfCentralDirectorySignature = 0x06054b50;
    private const uint Zip64EndLocatorSignature = 0x07064b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint CentralHeaderSignature = 0x02014b50;
    private const uint LocalHeaderSignature = 0x04034b50;
    private const int EndRecordSize = 22;
    private const int CentralHeaderSize = 46;
    private const int LocalHeaderSize = 30;

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>Reads every record of the zip at <paramref name="path"/>, in central-directory order.</summary>
    public static IReadOnlyList<ZipRecord> Read(SafeFileHandle handle, string path) => Read(handle, path, 0, RandomAccess.GetLength(handle));

    /// <summary>
    /// Reads a zip stored inside a larger file: the <paramref name="length"/> bytes at <paramref name="start"/> (a
    /// torch.distributed.checkpoint item). Offsets inside the zip are relative to <paramref name="start"/>; the records'
    /// data offsets come back absolute. Nothing outside the window is ever read.
    /// </summary>
    public static IReadOnlyList<ZipRecord> Read(SafeFileHandle handle, string path, long start, long length)
    {
        if (start < 0 || length < 0 || start > RandomAccess.GetLength(handle) - length)
        {
            throw new CheckpointFormatException(path, $"zip window of {length} bytes at offset {start} lies outside the {RandomAccess.GetLength(handle)}-byte file");
        }

        var window = new Window(handle, start);
        var fileLength = length;
        var (entryCount, directoryOffset, directorySize) = ReadEndRecords(window, path, fileLength);
        if (entryCount > MaxRecords)
        {
            throw new CheckpointFormatException(path, $"zip declares {entryCount} records, more than the {MaxRecords} allowed");
        }

        if (directorySize > MaxCentralDirectoryBytes || directoryOffset < 0 || directorySize < 0 || directoryOffset + directorySize > fileLength)
        {
            throw new CheckpointFormatException(path, $"corrupted zip central directory: {directorySize} bytes at offset {directoryOffset} do not fit the {fileLength}-byte file");
        }

        var directory = new byte[directorySize];
        window.ReadExactly(directory, directoryOffset, path);
        var records = new List<ZipRecord>((int)Math.Min(entryCount, 4096));
        var names = new HashSet<string>(StringComparer.Ordinal);
        var position = 0;
        for (long i = 0; i < entryCount; i++)
        {
            var record = ReadCentralEntry(window, path, directory, ref position, directoryOffset);
            if (!names.Add(record.Name))
            {
                throw new CheckpointFormatException(path, $"zip names record '{record.Name}' twice");
            }

            records.Add(record);
        }

        CheckNoOverlap(path, records);
        return records;
    }

    private static (long Count, long Offset, long Size) ReadEndRecords(Window handle, string path, long fileLength)
    {
        if (fileLength < EndRecordSize)
        {
            throw new CheckpointFormatException(path, $"not a zip archive: {fileLength} bytes is shorter than an end-of-central-directory record (truncated file?)");
        }

        var tailLength = (int)Math.Min(fileLength, EndRecordSize + ushort.MaxValue + 20);
        var tail = new byte[tailLength];
        handle.ReadExactly(tail, fileLength - tailLength, path);
        var end = -1;
        for (var i = tailLength - EndRecordSize; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EndOfCentralDirectorySignature
                && i + EndRecordSize + BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 20)) == tailLength)
            {
                end = i;
                break;
            }
        }

        if (end < 0)
        {
            throw new CheckpointFormatException(path, "not a zip archive: no end-of-central-directory record (truncated file, or the legacy pre-1.6 torch.save format)");
        }

        var record = tail.AsSpan(end);
        if (BinaryPrimitives.ReadUInt16LittleEndian(record[4..]) != 0 || BinaryPrimitives.ReadUInt16LittleEndian(record[6..]) != 0)
        {
            throw new CheckpointFormatException(path, "multi-disk zip archives are not supported");
        }

        long count = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
        long size = BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
        var locatorAt = end - 20;
        if (locatorAt >= 0 && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(locatorAt)) == Zip64EndLocatorSignature)
        {
            var zip64Offset = BinaryPrimitives.ReadInt64LittleEndian(tail.AsSpan(locatorAt + 8));
            if (zip64Offset < 0 || zip64Offset + 56 > fileLength)
            {
                throw new CheckpointFormatException(path, $"corrupted zip64 locator: end record offset {zip64Offset} is outside the file");
            }

            var zip64 = new byte[56];
            handle.ReadExactly(zip64, zip64Offset, path);
            if (BinaryPrimitives.ReadUInt32LittleEndian(zip64) != Zip64EndSignature)
            {
                throw new CheckpointFormatException(path, $"corrupted zip64 end record at offset {zip64Offset}");
            }

            count = BinaryPrimitives.ReadInt64LittleEndian(zip64.AsSpan(32));
            size = BinaryPrimitives.ReadInt64LittleEndian(zip64.AsSpan(40));
            offset = BinaryPrimitives.ReadInt64LittleEndian(zip64.AsSpan(48));
        }
        else if (count == ushort.MaxValue || size == uint.MaxValue || offset == uint.MaxValue)
        {
            throw new CheckpointFormatException(path, "zip needs zip64 end records but has none");
        }

        if (count < 0)
        {
            throw new CheckpointFormatException(path, $"corrupted zip end record: {count} records");
        }

        return (count, offset, size);
    }

    private static ZipRecord ReadCentralEntry(Window handle, string path, byte[] directory, ref int position, long directoryOffset)
    {
        if (position + CentralHeaderSize > directory.Length
            || BinaryPrimitives.ReadUInt32LittleEndian(directory.AsSpan(position)) != CentralHeaderSignature)
        {
            throw new CheckpointFormatException(path, $"corrupted zip central directory at offset {directoryOffset + position}");
        }

        var header = directory.AsSpan(position, CentralHeaderSize);
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        var method = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
        long compressed = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
        long uncompressed = BinaryPrimitives.ReadUInt32LittleEndian(header[24..]);
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
        int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[30..]);
        int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(header[32..]);
        long localOffset = BinaryPrimitives.ReadUInt32LittleEndian(header[42..]);
        var variable = position + CentralHeaderSize;
        if (variable + nameLength + extraLength + commentLength > directory.Length)
        {
            throw new CheckpointFormatException(path, $"corrupted zip central directory: entry at offset {directoryOffset + position} runs past its end");
        }

        string name;
        try
        {
            name = StrictUtf8.GetString(directory, variable, nameLength);
        }
        catch (DecoderFallbackException e)
        {
            throw new CheckpointFormatException(path, $"zip record name at offset {directoryOffset + position} is not UTF-8", e);
        }

        ApplyZip64Extra(path, name, directory.AsSpan(variable + nameLength, extraLength), ref uncompressed, ref compressed, ref localOffset);
        position = variable + nameLength + extraLength + commentLength;

        if ((flags & 1) != 0)
        {
            throw new CheckpointFormatException(path, $"zip record '{name}' is encrypted");
        }

        if (method != 0 || compressed != uncompressed)
        {
            throw new CheckpointFormatException(path, $"zip record '{name}' is compressed (method {method}); torch.save writes stored records only");
        }

        var dataOffset = ReadLocalHeader(handle, path, name, localOffset, directoryOffset);
        if (uncompressed < 0 || dataOffset + uncompressed > directoryOffset)
        {
            throw new CheckpointFormatException(path, $"zip record '{name}': {uncompressed} bytes at offset {dataOffset} run into the central directory (truncated or corrupted file)");
        }

        return new ZipRecord(name, handle.Start + dataOffset, uncompressed, crc);
    }

    private static void ApplyZip64Extra(string path, string name, ReadOnlySpan<byte> extra, ref long uncompressed, ref long compressed, ref long localOffset)
    {
        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            int size = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (4 + size > extra.Length)
            {
                throw new CheckpointFormatException(path, $"zip record '{name}': extra field runs past its end");
            }

            if (id == 1)
            {
                var field = extra.Slice(4, size);
                long Next(ref ReadOnlySpan<byte> f)
                {
                    if (f.Length < 8)
                    {
                        throw new CheckpointFormatException(path, $"zip record '{name}': zip64 extra field is too short");
                    }

                    var value = BinaryPrimitives.ReadInt64LittleEndian(f);
                    f = f[8..];
                    return value;
                }

                if (uncompressed == uint.MaxValue)
                {
                    uncompressed = Next(ref field);
                }

                if (compressed == uint.MaxValue)
                {
                    compressed = Next(ref field);
                }

                if (localOffset == uint.MaxValue)
                {
                    localOffset = Next(ref field);
                }
            }

            extra = extra[(4 + size)..];
        }
    }

    private static long ReadLocalHeader(Window handle, string path, string name, long localOffset, long directoryOffset)
    {
        if (localOffset < 0 || localOffset + LocalHeaderSize > directoryOffset)
        {
            throw new CheckpointFormatException(path, $"zip record '{name}': local header offset {localOffset} is outside the data area");
        }

        Span<byte> header = stackalloc byte[LocalHeaderSize];
        handle.ReadExactly(header, localOffset, path);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != LocalHeaderSignature)
        {
            throw new CheckpointFormatException(path, $"zip record '{name}': no local header at offset {localOffset} (corrupted file)");
        }

        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[26..]);
        int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
        var expectedName = Encoding.UTF8.GetBytes(name);
        if (nameLength != expectedName.Length || localOffset + LocalHeaderSize + nameLength + extraLength > directoryOffset)
        {
            throw new CheckpointFormatException(path, $"zip record '{name}': local header disagrees with the central directory");
        }

        var localName = new byte[nameLength];
        handle.ReadExactly(localName, localOffset + LocalHeaderSize, path);
        if (!localName.AsSpan().SequenceEqual(expectedName))
        {
            throw new CheckpointFormatException(path, $"zip record '{name}': local header names a different record");
        }

        return localOffset + LocalHeaderSize + nameLength + extraLength;
    }

    private static void CheckNoOverlap(string path, List<ZipRecord> records)
    {
        var sorted = records.Where(r => r.Length > 0).OrderBy(r => r.DataOffset).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].DataOffset < sorted[i - 1].DataOffset + sorted[i - 1].Length)
            {
                throw new CheckpointFormatException(path, $"zip records '{sorted[i - 1].Name}' and '{sorted[i].Name}' overlap");
            }
        }
    }

    /// <summary>The zip's bytes: a file, or a range of one; offsets are relative to <see cref="Start"/>.</summary>
    private readonly record struct Window(SafeFileHandle Handle, long Start)
    {
        public void ReadExactly(Span<byte> destination, long offset, string path) => FileReads.ReadExactly(Handle, destination, Start + offset, path);
    }
}
