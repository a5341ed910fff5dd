using VerlOrleans.Checkpoints;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Inference.Models;
using VerlOrleans.Testing;

namespace VerlOrleans.Inference.Tests.Models;

/// <summary>Weights must be exactly what the config describes: missing, misshapen or unknown tensors fail by name.</summary>
public sealed class DecoderWeightsTests
{
    [Fact]
    public void Every_stored_byte_is_read_once_into_the_resident_weights()
    {
        var folder = ReferenceFixture.FolderOf("llama3-tiny");
        using var model = DecoderModel.Load(folder, new ModelLoadOptions(), maxSequenceLength: 16);

        Assert.Equal(SafetensorsModel.Open(folder).TotalBytes, model.Weights.BytesRead);
        Assert.Equal(TorchSharp.torch.ScalarType.Float32, model.Weights.EmbedTokens.dtype);
    }

    [Fact]
    public void Tied_embeddings_share_storage_with_the_lm_head()
    {
        using var model = DecoderModel.Load(ReferenceFixture.FolderOf("qwen2-tiny"), new ModelLoadOptions(), maxSequenceLength: 16);

        model.Weights.EmbedTokens[3, 5] = TorchSharp.torch.tensor(42f);

        Assert.Equal(42f, model.Weights.LmHead.Weight[3, 5].item<float>());
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        using var temp = CopyWithTensors("qwen3-tiny", tensors => tensors.Where(t => t.Name != "model.layers.1.self_attn.k_norm.weight"));

        var error = Assert.Throws<CheckpointFormatException>(() => DecoderModel.Load(temp.Path, new ModelLoadOptions()));

        Assert.Contains("tensor 'model.layers.1.self_attn.k_norm.weight' is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tensor_whose_shape_disagrees_with_the_config_is_named_with_both_shapes()
    {
        using var temp = CopyWithTensors("qwen3-tiny", tensors => tensors);
        var configPath = Path.Combine(temp.Path, "config.json");
        File.WriteAllText(configPath, File.ReadAllText(configPath).Replace("\"intermediate_size\": 192", "\"intermediate_size\": 190", StringComparison.Ordinal));

        var error = Assert.Throws<CheckpointFormatException>(() => DecoderModel.Load(temp.Path, new ModelLoadOptions()));

        Assert.Contains("tensor 'model.layers.0.mlp.gate_proj.weight' has shape [192, 64], the config implies [190, 64]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tensors_the_config_does_not_describe_are_rejected_but_rope_buffers_are_ignored()
    {
        using var temp = CopyWithTensors("qwen3-tiny", tensors => tensors.Append(
            new StoredTensor("model.layers.0.self_attn.rotary_emb.inv_freq", TensorDType.F32, [16], new byte[64])));
        using (DecoderModel.Load(temp.Path, new ModelLoadOptions(), maxSequenceLength: 8))
        {
            // The RoPE buffer of older checkpoints is not a weight: loading succeeds.
        }

        using var extra = CopyWithTensors("qwen3-tiny", tensors => tensors.Append(
            new StoredTensor("model.layers.0.mlp.gate_proj.bias", TensorDType.F32, [192], new byte[768])));
        var error = Assert.Throws<CheckpointFormatException>(() => DecoderModel.Load(extra.Path, new ModelLoadOptions()));

        Assert.Contains("tensor(s) the Qwen3ForCausalLM config does not describe, e.g. 'model.layers.0.mlp.gate_proj.bias'", error.Message, StringComparison.Ordinal);
    }

    private sealed record StoredTensor(string Name, TensorDType DType, IReadOnlyList<long> Shape, byte[] Bytes);

    /// <summary>A copy of a single-file fixture whose model.safetensors holds the tensors <paramref name="edit"/> returns.</summary>
    private static TempDirectory CopyWithTensors(string model, Func<IEnumerable<StoredTensor>, IEnumerable<StoredTensor>> edit)
    {
        var source = ReferenceFixture.FolderOf(model);
        var temp = new TempDirectory("weights");
        File.Copy(Path.Combine(source, "config.json"), temp.Combine("config.json"));
        var stored = SafetensorsModel.Open(source).Tensors.Values
            .Select(t => new StoredTensor(t.Name, t.DType, t.Shape, SafetensorsFile.ReadAllBytes(t)));
        var tensors = edit(stored).ToList();
        using var writer = SafetensorsWriter.Create(temp.Combine("model.safetensors"), tensors.Select(t => new SafetensorsEntry(t.Name, t.DType, t.Shape)).ToList());
        foreach (var tensor in tensors)
        {
            writer.Append(tensor.Bytes);
        }

        writer.Complete();
        return temp;
    }
}
