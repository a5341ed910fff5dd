using System.Text.Json;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.Synthetic;
using VerlOrleans.Checkpoints.TorchSave;
using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests.TorchSave;

/// <summary>
/// Our torch.save writer (used for the benchmark's synthetic checkpoints) writes files real PyTorch loads:
/// the committed written-by-verlorleans files were loaded and value-checked by torch 1.13 and torch 2.6
/// (tools/checkpoint-fixtures/check_written_by_verlorleans.py, results committed next to them), and the
/// writer still produces exactly those bytes.
/// </summary>
public sealed class TorchSaveWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new("writer");

    [Fact]
    public void The_writer_reproduces_the_files_real_torch_loaded_byte_for_byte()
    {
        SyntheticPlainTensors.Write(_dir.Combine("plain-zoo.pt"));
        SyntheticShardSet.Write(_dir.Combine("synthetic-fsdp2-w3"), new DecoderShape(10, 8, 12, 1, 2, 1, false), 3);

        var committed = FixturePaths.WrittenByUs();
        var written = Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_dir.Path, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(8, written.Count);
        foreach (var file in written)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(committed, file)).AsSpan().SequenceEqual(File.ReadAllBytes(_dir.Combine(file))), $"{file} differs from the committed file torch loaded");
        }
    }

    [Theory]
    [InlineData("torch-1.13-check.json", 1)]
    [InlineData("torch-2.6-check.json", 2)]
    public void Real_torch_loaded_every_committed_file(string report, int checks)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(FixturePaths.WrittenByUs(report)));

        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(checks, json.RootElement.GetProperty("checks").GetArrayLength());
        if (checks == 2)
        {
            Assert.Equal(45, json.RootElement.GetProperty("checks")[1].GetProperty("dtensors").GetInt32());
        }
    }

    [Fact]
    public void Our_reader_and_merger_recover_the_synthetic_values()
    {
        var zoo = TorchSaveFile.Open(FixturePaths.WrittenByUs("plain-zoo.pt"));
        for (var t = 0; t < zoo.Entries.Count; t++)
        {
            var tensor = ((PlainTensorValue)zoo.Entries[t].Value).Tensor;
            var bytes = TensorBytes.ReadAll(tensor);
            for (var j = 0; j < tensor.ElementCount; j++)
            {
                Assert.Equal(SyntheticPlainTensors.Value(t, j, tensor.DType), DTypeConversion.Read(tensor.DType, bytes.AsSpan(j * tensor.DType.ItemSize())));
            }
        }

        var merged = CheckpointMerger.Merge(FixturePaths.WrittenByUs("synthetic-fsdp2-w3"), new MergeOptions(_dir.Combine("merged")) { DType = null });
        var model = SafetensorsModel.Open(merged.TargetDir);
        var parameters = new DecoderShape(10, 8, 12, 1, 2, 1, false).Parameters();
        for (var t = 0; t < parameters.Count; t++)
        {
            var bytes = SafetensorsFile.ReadAllBytes(model.Tensors[parameters[t].Name]);
            for (var g = 0; g < bytes.Length / 4; g++)
            {
                Assert.Equal(SyntheticShardSet.Value(t, g), BitConverter.ToSingle(bytes, g * 4));
            }
        }
    }

    public void Dispose() => _dir.Dispose();
}
