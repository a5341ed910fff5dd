using TorchSharp;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Inference.Models;
using VerlOrleans.Testing;

namespace VerlOrleans.Inference.Tests.Models;

/// <summary>The memory a model needs is known from config.json alone, before any weight is read.</summary>
public sealed class ModelFootprintTests
{
    [Theory]
    [InlineData("qwen2-tiny")]
    [InlineData("llama3-tiny")]
    [InlineData("qwen3-tiny")]
    public void The_estimate_counts_exactly_the_parameters_the_checkpoint_stores(string model)
    {
        var folder = ReferenceFixture.FolderOf(model);
        var config = ModelConfig.Load(folder);
        var stored = SafetensorsModel.Open(folder).Tensors.Values.Sum(t => t.ElementCount);

        var footprint = ModelFootprint.Estimate(config, torch.ScalarType.Float32);

        Assert.Equal(stored, footprint.ParameterCount);
        Assert.Equal(stored * 4, footprint.WeightBytes);
    }

    [Fact]
    public void A_qwen2_5_0_5b_config_has_its_published_parameter_count_and_kv_size()
    {
        using var temp = new TempDirectory("footprint");
        Qwen25HalfBillion.WriteConfig(temp.Path);

        var footprint = ModelFootprint.Estimate(ModelConfig.Load(temp.Path), torch.ScalarType.BFloat16);

        Assert.Equal(494_032_768, footprint.ParameterCount);
        Assert.Equal(494_032_768L * 2, footprint.WeightBytes);
        Assert.Equal(2L * 24 * 2 * 64 * 2, footprint.KvBytesPerToken);          // k and v, 24 layers, 2 kv heads of 64
        Assert.Equal(footprint.KvBytesPerToken * 8 * 1024, footprint.KvCacheBytes(8, 1024));
    }
}

/// <summary>The shape of Qwen/Qwen2.5-0.5B's published config.json (weights are never needed for these tests).</summary>
internal static class Qwen25HalfBillion
{
    public static void WriteConfig(string folder) => File.WriteAllText(Path.Combine(folder, "config.json"), """
        {
          "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_act": "silu",
          "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
          "num_attention_heads": 14, "num_key_value_heads": 2, "max_position_embeddings": 32768,
          "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "tie_word_embeddings": true,
          "torch_dtype": "bfloat16", "vocab_size": 151936, "use_sliding_window": false,
          "bos_token_id": 151643, "eos_token_id": 151643
        }
        """);
}
