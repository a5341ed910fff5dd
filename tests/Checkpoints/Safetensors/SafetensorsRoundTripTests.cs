using System.Text;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests.Safetensors;

public sealed class SafetensorsRoundTripTests : IDisposable
{
    private readonly TempDirectory _dir = new("safetensors");

    [Fact]
    public void Tensors_written_in_chunks_read_back_byte_for_byte()
    {
        var path = _dir.Combine("model.safetensors");
        var weight = Enumerable.Range(0, 6 * 4).Select(i => (byte)i).ToArray();          // F32 (2, 3)
        var ids = BitConverter.GetBytes(42L);                                               // I64 scalar
        var empty = Array.Empty<byte>();                                                    // BF16 (0, 4)
        using (var writer = SafetensorsWriter.Create(path,
        [
            new SafetensorsEntry("model.embed_tokens.weight", TensorDType.F32, [2, 3]),
            new SafetensorsEntry("empty", TensorDType.BF16, [0, 4]),
            new SafetensorsEntry("step", TensorDType.I64, []),
        ]))
        {
            writer.Append(weight.AsSpan(0, 5));
            writer.Append(weight.AsSpan(5));
            Assert.Equal("step", writer.NextTensor);
            writer.Append(ids);
            writer.Complete();
        }

        var file = SafetensorsFile.Open(path);

        Assert.Equal(0, file.DataStart % 8);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(["model.embed_tokens.weight", "empty", "step"], file.Tensors.Keys);
        Assert.Equal(weight, SafetensorsFile.ReadAllBytes(file.Tensors["model.embed_tokens.weight"]));
        Assert.Equal(empty, SafetensorsFile.ReadAllBytes(file.Tensors["empty"]));
        Assert.Equal(ids, SafetensorsFile.ReadAllBytes(file.Tensors["step"]));
        Assert.Equal([2L, 3L], file.Tensors["model.embed_tokens.weight"].Shape);
        Assert.Empty(file.Tensors["step"].Shape);
        Assert.Equal(1, file.Tensors["step"].ElementCount);
    }

    [Fact]
    public void An_incomplete_writer_deletes_its_file()
    {
        var path = _dir.Combine("partial.safetensors");
        using (var writer = SafetensorsWriter.Create(path, [new SafetensorsEntry("w", TensorDType.F32, [4])]))
        {
            writer.Append(new byte[8]);
            Assert.Throws<InvalidOperationException>(writer.Complete);
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Appending_past_the_last_tensor_is_refused()
    {
        using var writer = SafetensorsWriter.Create(_dir.Combine("over.safetensors"), [new SafetensorsEntry("w", TensorDType.U8, [2])]);

        Assert.Throws<InvalidOperationException>(() => writer.Append(new byte[3]));
    }

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", 8, "fall outside")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "needs 12 bytes")]
    [InlineData("{\"w\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "unsupported dtype 'Q4'")]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[2,6]}}", 8, "overlaps")]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}", 8, "unaccounted bytes")]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,8]}}", 8, "non-negative")]
    [InlineData("{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]}}", 8, "twice")]
    [InlineData("[1,2]", 0, "not a JSON object")]
    [InlineData("{\"__metadata__\":{\"format\":1}}", 0, "not a string")]
    public void Malformed_headers_fail_with_the_file_and_tensor_named(string header, int dataBytes, string expected)
    {
        var path = WriteRaw("bad.safetensors", Encoding.UTF8.GetBytes(header), dataBytes);

        var error = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(path));

        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_length_beyond_the_file_is_rejected_before_allocating()
    {
        var path = _dir.Combine("huge.safetensors");
        var bytes = new byte[16];
        BitConverter.TryWriteBytes(bytes, 50_000_000UL);
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(path));

        Assert.Contains("runs past the end", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_utf8_header_is_rejected()
    {
        var path = WriteRaw("latin1.safetensors", [(byte)'{', 0xff, (byte)'}'], 0);

        Assert.Contains("UTF-8", Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sharded_folder_opens_through_its_index_and_rejects_unmapped_tensors()
    {
        var folder = Directory.CreateDirectory(_dir.Combine("sharded")).FullName;
        WriteSingle(Path.Combine(folder, "model-00001-of-00002.safetensors"), "a");
        WriteSingle(Path.Combine(folder, "model-00002-of-00002.safetensors"), "b");
        File.WriteAllText(Path.Combine(folder, SafetensorsModel.IndexFileName),
            """{"metadata":{"total_size":8},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}}""");

        var model = SafetensorsModel.Open(folder);
        Assert.Equal(["a", "b"], model.Tensors.Keys.Order());
        Assert.Equal(8, model.TotalBytes);

        File.WriteAllText(Path.Combine(folder, SafetensorsModel.IndexFileName),
            """{"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00001-of-00002.safetensors"}}""");
        var error = Assert.Throws<CheckpointFormatException>(() => SafetensorsModel.Open(folder));
        Assert.Contains("'b'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_index_pointing_outside_its_folder_is_refused()
    {
        var folder = Directory.CreateDirectory(_dir.Combine("escape")).FullName;
        File.WriteAllText(Path.Combine(folder, SafetensorsModel.IndexFileName), """{"weight_map":{"a":"../secret.safetensors"}}""");

        Assert.Contains("outside the folder", Assert.Throws<CheckpointFormatException>(() => SafetensorsModel.Open(folder)).Message, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();

    private static void WriteSingle(string path, string name)
    {
        using var writer = SafetensorsWriter.Create(path, [new SafetensorsEntry(name, TensorDType.F32, [1])]);
        writer.Append(BitConverter.GetBytes(1.5f));
        writer.Complete();
    }

    private string WriteRaw(string name, byte[] header, int dataBytes)
    {
        var path = _dir.Combine(name);
        using var stream = File.Create(path);
        stream.Write(BitConverter.GetBytes((ulong)header.Length));
        stream.Write(header);
        stream.Write(new byte[dataBytes]);
        return path;
    }
}
