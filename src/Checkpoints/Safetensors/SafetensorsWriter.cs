using System.Text.Json;

namespace VerlOrleans.Checkpoints.Safetensors;

/// <summary>A tensor to be written: its name, element type and shape (the bytes come later, streamed).</summary>
public sealed record SafetensorsEntry(string Name, TensorDType DType, IReadOnlyList<long> Shape)
{
    /// <summary>Bytes the tensor occupies.</summary>
    public long ByteLength => checked((TensorDTypes.ElementCount(Shape) ?? throw new OverflowException($"shape of '{Name}' overflows")) * DType.ItemSize());
}

/// <summary>
/// Writes one .safetensors file in a single pass: the header (all names, dtypes, shapes and offsets) goes
/// first, then the tensors' bytes are appended in the declared order, in chunks of any size, so a merge
/// never needs a whole tensor (let alone a whole model) in memory. <see cref="Complete"/> checks that every
/// declared byte arrived; a writer disposed before that deletes its partial file.
/// </summary>
public sealed class SafetensorsWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly IReadOnlyList<SafetensorsEntry> _entries;
    private int _current;
    private long _remainingInCurrent;
    private bool _completed;

    private SafetensorsWriter(string path, FileStream stream, IReadOnlyList<SafetensorsEntry> entries)
    {
        Path = path;
        _stream = stream;
        _entries = entries;
        _remainingInCurrent = entries.Count > 0 ? entries[0].ByteLength : 0;
        SkipEmptyTensors();
    }

    public string Path { get; }

    /// <summary>Total bytes of tensor data this file will hold.</summary>
    public long DataLength => _entries.Sum(e => e.ByteLength);

    /// <summary>Creates the file and writes its header. Tensor names must be unique.</summary>
    public static SafetensorsWriter Create(string path, IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var duplicate = entries.GroupBy(e => e.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"tensor '{duplicate.Key}' is declared twice", nameof(entries));
        }

        if (entries.Any(e => e.Name == "__metadata__"))
        {
            throw new ArgumentException("'__metadata__' is reserved and cannot name a tensor", nameof(entries));
        }

        var header = BuildHeader(entries, metadata ?? new Dictionary<string, string> { ["format"] = "pt" });
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        try
        {
            Span<byte> length = stackalloc byte[8];
            BitConverter.TryWriteBytes(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            return new SafetensorsWriter(path, stream, entries);
        }
        catch
        {
            stream.Dispose();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Name of the tensor the next appended byte belongs to, or null when all are written.</summary>
    public string? NextTensor => _current < _entries.Count ? _entries[_current].Name : null;

    /// <summary>Appends bytes to the current tensor (moving on to the next when it is full). Bytes must not run past the last tensor.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        while (!bytes.IsEmpty)
        {
            if (_current >= _entries.Count)
            {
                throw new InvalidOperationException($"{Path}: {bytes.Length} bytes appended after the last declared tensor");
            }

            var take = (int)Math.Min(bytes.Length, _remainingInCurrent);
            _stream.Write(bytes[..take]);
            bytes = bytes[take..];
            _remainingInCurrent -= take;
            SkipEmptyTensors();
        }
    }

    /// <summary>Checks every declared byte was written, flushes to disk and closes the file.</summary>
    public void Complete()
    {
        if (_current < _entries.Count)
        {
            throw new InvalidOperationException($"{Path}: tensor '{_entries[_current].Name}' is missing {_remainingInCurrent} bytes");
        }

        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        _completed = true;
    }

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

    private void SkipEmptyTensors()
    {
        while (_current < _entries.Count && _remainingInCurrent == 0)
        {
            _current++;
            _remainingInCurrent = _current < _entries.Count ? _entries[_current].ByteLength : 0;
        }
    }

    private static byte[] BuildHeader(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata.Count > 0)
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata)
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var entry in entries)
            {
                var length = entry.ByteLength;
                json.WriteStartObject(entry.Name);
                json.WriteString("dtype", entry.DType.SafetensorsName());
                json.WriteStartArray("shape");
                foreach (var dim in entry.Shape)
                {
                    json.WriteNumberValue(dim);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += length;
            }

            json.WriteEndObject();
        }

        // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
        var padding = (int)((8 - (buffer.Length % 8)) % 8);
        for (var i = 0; i < padding; i++)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }
}
