using System.Text.Json;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Inference.Models;
using static TorchSharp.torch;

namespace VerlOrleans.Bench.Inference;

/// <summary>
/// A Hugging Face folder shaped like Qwen/Qwen2.5-0.5B (its published config; 494M parameters, tied embeddings)
/// with seeded random bf16 weights (std 0.02, norms 1), written once and reused by later runs.
/// </summary>
internal static class RandomQwenModel
{
    private const string Config = """
        {
          "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_act": "silu",
          "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
          "num_attention_heads": 14, "num_key_value_heads": 2, "max_position_embeddings": 32768,
          "max_window_layers": 21, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768,
          "use_sliding_window": false, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
          "vocab_size": 151936, "bos_token_id": 151643, "eos_token_id": 151643
        }
        """;

    public static void EnsureWritten(string folder, int seed)
    {
        var weights = Path.Combine(folder, SafetensorsModel.SingleFileName);
        if (File.Exists(weights) && File.Exists(Path.Combine(folder, ModelConfig.FileName)))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, ModelConfig.FileName), Config);
        var config = ModelConfig.Load(folder);
        var entries = DecoderWeights.ExpectedTensorNames(config).Select(name => new SafetensorsEntry(name, TensorDType.BF16, Shape(config, name))).ToList();
        var partial = weights + ".partial";
        using (var writer = SafetensorsWriter.Create(partial, entries))
        {
            var generator = new Generator((ulong)seed);
            foreach (var entry in entries)
            {
                using var scope = NewDisposeScope();
                var shape = entry.Shape.ToArray();
                var values = entry.Name.EndsWith("norm.weight", StringComparison.Ordinal)
                    ? ones(shape)
                    : randn(shape, generator: generator).mul_(0.02);
                writer.Append(values.to(ScalarType.BFloat16).contiguous().bytes);
            }

            writer.Complete();
        }

        File.Move(partial, weights);
    }

    private static long[] Shape(ModelConfig c, string name)
    {
        long hidden = c.HiddenSize, q = (long)c.AttentionHeadCount * c.HeadDim, kv = (long)c.KeyValueHeadCount * c.HeadDim;
        var leaf = name[(name.LastIndexOf('.', name.LastIndexOf('.') - 1) + 1)..];   // e.g. "q_proj.weight"
        return leaf switch
        {
            "embed_tokens.weight" or "lm_head.weight" => [c.VocabSize, hidden],
            "q_proj.weight" => [q, hidden],
            "k_proj.weight" or "v_proj.weight" => [kv, hidden],
            "q_proj.bias" => [q],
            "k_proj.bias" or "v_proj.bias" => [kv],
            "o_proj.weight" => [hidden, q],
            "gate_proj.weight" or "up_proj.weight" => [c.IntermediateSize, hidden],
            "down_proj.weight" => [hidden, c.IntermediateSize],
            "q_norm.weight" or "k_norm.weight" => [c.HeadDim],
            _ when leaf.EndsWith("norm.weight", StringComparison.Ordinal) => [hidden],
            _ => throw new InvalidOperationException($"no shape rule for {name}: {JsonSerializer.Serialize(leaf)}"),
        };
    }
}
