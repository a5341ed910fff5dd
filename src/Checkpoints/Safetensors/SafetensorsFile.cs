using System.Text;
using System.Text.Json;

namespace VerlOrleans.Checkpoints.Safetensors;

/// <summary>
/// One .safetensors file: <c>u64 header length</c> · UTF-8 JSON header · raw little-endian data. Opening
/// reads and validates only the header (bounds, dtypes, sizes, no overlaps or holes); tensor bytes are read
/// on demand with positional reads, so files larger than RAM are fine.
/// </summary>
public sealed class SafetensorsFile
{
    /// <summary>The reference implementation refuses headers above 100 MB; so do we.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private SafetensorsFile(string path, IReadOnlyDictionary<string, SafetensorsTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata, long dataStart)
    {
        Path = path;
        Tensors = tensors;
        Metadata = metadata;
        DataStart = dataStart;
    }

    public string Path { get; }

    /// <summary>Tensors by name, in header order.</summary>
    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> string map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Absolute offset where the data section begins (8 + header length).</summary>
    public long DataStart { get; }

    /// <summary>Reads and validates the header of <paramref name="path"/>; throws <see cref="CheckpointFormatException"/> naming the file on any defect.</summary>
    public static SafetensorsFile Open(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8)
        {
            throw new CheckpointFormatException(path, $"file is {fileLength} bytes, shorter than the 8-byte header length");
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        FileReads.ReadExactly(handle, lengthBytes, 0, path);
        var headerLength = BitConverter.ToUInt64(lengthBytes);
        if (headerLength > MaxHeaderBytes)
        {
            throw new CheckpointFormatException(path, $"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");
        }

        if (8 + (long)headerLength > fileLength)
        {
            throw new CheckpointFormatException(path, $"header length {headerLength} runs past the end of the {fileLength}-byte file");
        }

        var header = new byte[headerLength];
        FileReads.ReadExactly(handle, header, 8, path);
        string json;
        try
        {
            json = StrictUtf8.GetString(header);
        }
        catch (DecoderFallbackException e)
        {
            throw new CheckpointFormatException(path, "header is not valid UTF-8", e);
        }

        var dataStart = 8 + (long)headerLength;
        return Parse(path, json, dataStart, fileLength - dataStart);
    }

    /// <summary>Copies one tensor's raw bytes into <paramref name="destination"/> (exactly <see cref="SafetensorsTensorInfo.ByteLength"/> bytes).</summary>
    public static void ReadInto(SafetensorsTensorInfo tensor, Span<byte> destination)
    {
        if (destination.Length != tensor.ByteLength)
        {
            throw new ArgumentException($"destination is {destination.Length} bytes, tensor '{tensor.Name}' is {tensor.ByteLength}", nameof(destination));
        }

        using var handle = File.OpenHandle(tensor.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        FileReads.ReadExactly(handle, destination, tensor.DataOffset, tensor.FilePath);
    }

    /// <summary>One tensor's raw bytes as a new array (for tensors below 2 GiB).</summary>
    public static byte[] ReadAllBytes(SafetensorsTensorInfo tensor)
    {
        var bytes = new byte[checked((int)tensor.ByteLength)];
        ReadInto(tensor, bytes);
        return bytes;
    }

    private static SafetensorsFile Parse(string path, string json, long dataStart, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointFormatException(path, "header is not a JSON object");
            }

            var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var ranges = new List<(long Begin, long End, string Name)>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw new CheckpointFormatException(path, $"header names '{property.Name}' twice");
                }

                if (property.Name == "__metadata__")
                {
                    ReadMetadata(path, property.Value, metadata);
                    continue;
                }

                var (info, begin, end) = ReadEntry(path, property.Name, property.Value, dataStart, dataLength);
                tensors.Add(info.Name, info);
                ranges.Add((begin, end, info.Name));
            }

            CheckCoverage(path, ranges, dataLength);
            return new SafetensorsFile(path, tensors, metadata, dataStart);
        }
    }

    private static (SafetensorsTensorInfo Info, long Begin, long End) ReadEntry(string path, string name, JsonElement entry, long dataStart, long dataLength)
    {
        string Where(string field) => $"tensor '{name}': {field}";
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointFormatException(path, Where("entry is not an object"));
        }

        if (!entry.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw new CheckpointFormatException(path, Where("missing string field 'dtype'"));
        }

        var dtype = TensorDTypes.FromSafetensorsName(dtypeElement.GetString()!)
            ?? throw new CheckpointFormatException(path, Where($"unsupported dtype '{dtypeElement.GetString()}'"));

        if (!entry.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointFormatException(path, Where("missing array field 'shape'"));
        }

        var shape = new List<long>();
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out var value) || value < 0)
            {
                throw new CheckpointFormatException(path, Where($"shape has a dimension that is not a non-negative integer: {dim.GetRawText()}"));
            }

            shape.Add(value);
        }

        if (!entry.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || !offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end))
        {
            throw new CheckpointFormatException(path, Where("'data_offsets' must be [begin, end] integers"));
        }

        if (begin < 0 || end < begin || end > dataLength)
        {
            throw new CheckpointFormatException(path, Where($"data_offsets [{begin}, {end}] fall outside the {dataLength}-byte data section"));
        }

        var elements = TensorDTypes.ElementCount(shape)
            ?? throw new CheckpointFormatException(path, Where($"shape [{string.Join(", ", shape)}] overflows"));
        if (elements > long.MaxValue / dtype.ItemSize() || elements * dtype.ItemSize() != end - begin)
        {
            throw new CheckpointFormatException(path, Where(
                $"shape [{string.Join(", ", shape)}] of {dtype.SafetensorsName()} needs {(elements > long.MaxValue / 8 ? "too many" : (elements * dtype.ItemSize()).ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes but data_offsets span {end - begin}"));
        }

        return (new SafetensorsTensorInfo(name, dtype, shape, path, dataStart + begin, end - begin), begin, end);
    }

    private static void ReadMetadata(string path, JsonElement element, Dictionary<string, string> metadata)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointFormatException(path, "__metadata__ is not an object");
        }

        foreach (var item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw new CheckpointFormatException(path, $"__metadata__ value '{item.Name}' is not a string");
            }

            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static void CheckCoverage(string path, List<(long Begin, long End, string Name)> ranges, long dataLength)
    {
        ranges.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long position = 0;
        string? previous = null;
        foreach (var (begin, end, name) in ranges)
        {
            if (begin < position)
            {
                throw new CheckpointFormatException(path, $"tensor '{name}' overlaps tensor '{previous}' (data_offsets begin {begin} < {position})");
            }

            if (begin > position)
            {
                throw new CheckpointFormatException(path, $"{begin - position} unaccounted bytes before tensor '{name}' in the data section");
            }

            position = end;
            previous = name;
        }

        if (position != dataLength)
        {
            throw new CheckpointFormatException(path, $"data section is {dataLength} bytes but the tensors cover {position}");
        }
    }
}
