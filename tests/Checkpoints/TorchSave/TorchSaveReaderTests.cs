using VerlOrleans.Checkpoints.Megatron;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;
using VerlOrleans.Checkpoints.TorchSave.Pickle;

namespace VerlOrleans.Checkpoints.Tests.TorchSave;

/// <summary>Files written by real torch.save (Debian 12 torch 1.13 and Debian 13 torch 2.6) decode exactly.</summary>
public sealed class TorchSaveReaderTests
{
    [Theory]
    [InlineData("plain-tensors.pt")]
    [InlineData("plain-tensors-protocol4.pt")]
    [InlineData("plain-tensors-protocol5.pt")]
    public void Every_dtype_and_view_decodes_to_the_bytes_torch_wrote_contiguously(string file)
    {
        var saved = TorchSaveFile.Open(FixturePaths.Torch113(file));
        var expected = SafetensorsFile.Open(FixturePaths.Torch113("plain-tensors.safetensors"));

        Assert.Equal(expected.Tensors.Keys, saved.Entries.Select(e => e.Key));
        foreach (var (name, value) in saved.Entries)
        {
            var tensor = Assert.IsType<PlainTensorValue>(value).Tensor;
            var reference = expected.Tensors[name];
            Assert.Equal(reference.DType, tensor.DType);
            Assert.Equal(reference.Shape, tensor.Shape);
            Assert.True(SafetensorsFile.ReadAllBytes(reference).AsSpan().SequenceEqual(TensorBytes.ReadAll(tensor)), $"bytes of '{name}' differ");
        }
    }

    [Fact]
    public void Views_keep_their_shared_storage_offset_and_stride()
    {
        var saved = TorchSaveFile.Open(FixturePaths.Torch113("plain-tensors.pt")).Entries.ToDictionary(e => e.Key, e => ((PlainTensorValue)e.Value).Tensor);

        Assert.Same(saved["base"].Storage, saved["slice_offset"].Storage);
        Assert.Equal(2, saved["slice_offset"].StorageOffset);
        Assert.Equal([4L], saved["column"].Stride);
        Assert.False(saved["transposed"].IsContiguous);
        Assert.Same(saved["base"], saved["same_object"]);
        Assert.Empty(saved["scalar"].Shape);
        Assert.Equal(0, saved["empty"].ElementCount);
    }

    [Fact]
    public void Fsdp2_dtensor_shards_carry_global_shape_placements_mesh_and_padded_storage()
    {
        var rank2 = TorchSaveFile.Open(FixturePaths.Torch26("fsdp2-run", "global_step_1", "actor", "model_world_size_3_rank_2.pt"));
        var values = rank2.Entries.ToDictionary(e => e.Key, e => e.Value);

        var embed = Assert.IsType<DTensorValue>(values["model.embed_tokens.weight"]);
        Assert.Equal([41L, 16L], embed.Shape);
        Assert.Equal([13L, 16L], embed.Local.Shape);                   // chunks of 14, 14, 13
        Assert.Equal(new ShardPlacement(0), Assert.Single(embed.Placements));
        Assert.Equal([0, 1, 2], embed.Mesh.Ranks);
        Assert.Equal(["fsdp"], embed.Mesh.DimNames!);
        Assert.Equal(14 * 16, embed.Local.Storage.ElementCount);       // FSDP2 saves the padded storage

        var kBias = Assert.IsType<DTensorValue>(values["model.layers.0.self_attn.k_proj.bias"]);
        Assert.Equal([0L], kBias.Local.Shape);                         // 4 rows over 3 ranks: 2, 2, 0
        Assert.IsType<PlainTensorValue>(values["model.layers.0.layer_scalar"]);
        Assert.Empty(values["model.layers.0.layer_scalar"].Shape);
    }

    [Fact]
    public void Hsdp_meshes_are_two_dimensional_with_a_replicate_placement_first()
    {
        var file = TorchSaveFile.Open(FixturePaths.Torch26("hsdp-fsdp1-2x2", "model_world_size_4_rank_3.pt"));
        var embed = Assert.IsType<DTensorValue>(file.Entries.First(e => e.Key == "model.embed_tokens.weight").Value);

        Assert.Equal([2, 2], embed.Mesh.Shape);
        Assert.Equal(["ddp", "fsdp"], embed.Mesh.DimNames!);
        Assert.Equal([new ReplicatePlacement(), (Placement)new ShardPlacement(0)], embed.Placements);
        Assert.Equal([1, 1], embed.Mesh.CoordinatesOf(3)!);
    }

    [Fact]
    public void Sharded_tensors_from_torch_1_13_expose_their_blocks()
    {
        var file = TorchSaveFile.Open(FixturePaths.Torch113("fsdp1-sharded-tensor-w2", "model_world_size_2_rank_1.pt"));
        var embed = Assert.IsType<ShardedTensorValue>(file.Entries.First(e => e.Key == "model.embed_tokens.weight").Value);

        Assert.Equal([41L, 16L], embed.Shape);
        Assert.Equal(2, embed.AllShards.Count);
        var (tensor, block) = Assert.Single(embed.LocalShards);
        Assert.Equal([21L, 0L], block.Offsets);
        Assert.Equal([20L, 16L], tensor.Shape);
        Assert.Equal(1, block.Rank);
    }

    [Fact]
    public void Zip64_size_and_offset_fields_are_honoured()
    {
        var source = FixturePaths.Torch113("plain-tensors.pt");
        var path = Path.Combine(Path.GetTempPath(), $"zip64-{Guid.NewGuid():N}.pt");
        try
        {
            TorchZipRewriter.RewritePickle(source, path, pickle => pickle, forceZip64: true);
            var original = TorchSaveFile.Open(source).Entries;
            var rewritten = TorchSaveFile.Open(path).Entries;

            Assert.Equal(original.Select(e => e.Key), rewritten.Select(e => e.Key));
            Assert.All(original.Zip(rewritten), pair => Assert.Equal(
                TensorBytes.ReadAll(((PlainTensorValue)pair.First.Value).Tensor), TensorBytes.ReadAll(((PlainTensorValue)pair.Second.Value).Tensor)));
            Assert.All(TorchSaveFile.Open(path).Records, r => Assert.Equal(0, r.DataOffset % 64));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Every_fixture_file_opens()
    {
        var files = Directory.EnumerateFiles(FixturePaths.Root, "*.pt", SearchOption.AllDirectories).ToList();
        Assert.True(files.Count >= 20, $"only {files.Count} fixture files");
        foreach (var file in files)
        {
            if (Path.GetFileName(file) == MegatronRankFolders.FileName)
            {
                // Megatron's saved args (an argparse.Namespace) are allowed by the Megatron allowlist only.
                Assert.Throws<CheckpointFormatException>(() => TorchSaveFile.Open(file));
                Assert.NotEmpty(TorchSaveFile.Open(file, "model", PickleAllowlist.MegatronLegacy).Entries);
                continue;
            }

            var entries = TorchSaveFile.Open(file).Entries;
            if (Path.GetFileName(file) != "common.pt") // Megatron dist_ckpt's common state: empty for a model-only save
            {
                Assert.NotEmpty(entries);
            }
        }
    }
}
