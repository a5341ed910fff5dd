using System.Text.Json.Nodes;
using VerlOrleans.Checkpoints;
using VerlOrleans.Inference.Models;
using VerlOrleans.Testing;

namespace VerlOrleans.Inference.Tests.Models;

/// <summary>config.json is read strictly: what the engine cannot serve fails before weights load, naming the key.</summary>
public sealed class ModelConfigTests
{
    [Fact]
    public void The_fixture_configs_map_to_their_families_and_features()
    {
        var qwen2 = ModelConfig.Load(ReferenceFixture.FolderOf("qwen2-tiny"));
        var llama = ModelConfig.Load(ReferenceFixture.FolderOf("llama3-tiny"));
        var qwen3 = ModelConfig.Load(ReferenceFixture.FolderOf("qwen3-tiny"));

        Assert.Equal((DecoderFamily.Qwen2, true, false, true, false), (qwen2.Family, qwen2.QkvBias, qwen2.OutputBias, qwen2.TieWordEmbeddings, qwen2.QkNorm));
        Assert.Equal((DecoderFamily.Llama, false, false, false), (llama.Family, llama.QkvBias, llama.TieWordEmbeddings, llama.QkNorm));
        Assert.Equal(new Llama3RopeScaling(8, 1, 4, 8192), llama.RopeScaling);
        Assert.Equal(4, llama.QueryGroupSize);
        Assert.Equal((DecoderFamily.Qwen3, 32, true), (qwen3.Family, qwen3.HeadDim, qwen3.QkNorm));
    }

    [Fact]
    public void Stop_ids_come_from_generation_config_when_it_has_them_else_from_config()
    {
        Assert.Equal([251, 252], ModelConfig.Load(ReferenceFixture.FolderOf("qwen2-tiny")).EosTokenIds);
        Assert.Equal([251, 253], ModelConfig.Load(ReferenceFixture.FolderOf("llama3-tiny")).EosTokenIds);
        Assert.Equal([251, 254], ModelConfig.Load(ReferenceFixture.FolderOf("qwen3-tiny")).EosTokenIds);
    }

    [Theory]
    [InlineData("architectures", "[\"MistralForCausalLM\"]", "unsupported architecture 'MistralForCausalLM'; supported: Qwen2ForCausalLM, LlamaForCausalLM, Qwen3ForCausalLM")]
    [InlineData("architectures", "[]", "missing 'architectures'")]
    [InlineData("hidden_size", "\"64\"", "'hidden_size' must be an integer")]
    [InlineData("hidden_size", "-1", "'hidden_size' is -1, outside")]
    [InlineData("num_key_value_heads", "3", "'num_attention_heads' (4) is not a multiple of 'num_key_value_heads' (3)")]
    [InlineData("hidden_act", "\"gelu\"", "'hidden_act' is 'gelu'; only 'silu'")]
    [InlineData("use_sliding_window", "true", "sliding-window attention is not implemented")]
    [InlineData("rope_scaling", "{\"rope_type\": \"yarn\", \"factor\": 4.0}", "'rope_scaling' type 'yarn' is not implemented")]
    [InlineData("rope_scaling", "{\"rope_type\": \"llama3\", \"factor\": 8.0}", "lacks 'low_freq_factor'")]
    [InlineData("eos_token_id", "[251, 9999]", "'eos_token_id'[1] must be a token id in [0, 255]")]
    [InlineData("rms_norm_eps", "null", "missing required field 'rms_norm_eps'")]
    public void A_config_the_engine_cannot_serve_fails_naming_the_file_and_key(string key, string json, string message)
    {
        using var temp = new TempDirectory("model-config");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(ReferenceFixture.FolderOf("qwen2-tiny"), "config.json")))!.AsObject();
        config[key] = JsonNode.Parse(json);
        File.WriteAllText(temp.Combine("config.json"), config.ToJsonString());

        var error = Assert.Throws<CheckpointFormatException>(() => ModelConfig.Load(temp.Path));

        Assert.Equal(temp.Combine("config.json"), error.FilePath);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_without_config_and_a_config_that_is_not_json_fail_clearly()
    {
        using var temp = new TempDirectory("model-config");
        Assert.Contains("needs its config.json", Assert.Throws<CheckpointFormatException>(() => ModelConfig.Load(temp.Path)).Message, StringComparison.Ordinal);

        File.WriteAllText(temp.Combine("config.json"), "{\"architectures\": [");
        Assert.Contains("is not valid JSON", Assert.Throws<CheckpointFormatException>(() => ModelConfig.Load(temp.Path)).Message, StringComparison.Ordinal);
    }
}
