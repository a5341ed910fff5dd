using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.Synthetic;

/// <summary>
/// Writes a synthetic LoRA case for benchmarks: a Hugging Face base folder (<see cref="DecoderShape"/>, bf16 like the
/// hub's Qwen2.5 checkpoints) and a PEFT adapter folder (fp32, as verl's legacy worker saves it) with rank
/// <c>r</c> on all seven projections of every layer. Values follow <see cref="SyntheticShardSet.Value"/>.
/// </summary>
public static class SyntheticLoraAdapter
{
    public static readonly string[] Targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>Writes <c>{root}/base</c> and <c>{root}/adapter</c>; returns the bytes of the base's tensor data.</summary>
    public static long Write(string root, DecoderShape shape, int rank, double alpha)
    {
        var baseFolder = Directory.CreateDirectory(Path.Combine(root, "base")).FullName;
        var adapterFolder = Directory.CreateDirectory(Path.Combine(root, "adapter")).FullName;
        var parameters = shape.Parameters();
        var total = WriteTensors(Path.Combine(baseFolder, SafetensorsModel.SingleFileName), parameters.Select(p => (p.Name, p.Shape)).ToList(), TensorDType.BF16);
        var config = shape.Config();
        config["torch_dtype"] = "bfloat16";
        File.WriteAllText(Path.Combine(baseFolder, "config.json"), JsonSerializer.Serialize(config, new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(baseFolder, "generation_config.json"), "{\n  \"bos_token_id\": 151643,\n  \"eos_token_id\": 151643\n}\n");
        File.WriteAllText(Path.Combine(baseFolder, "tokenizer_config.json"), "{\n  \"model_max_length\": 131072\n}\n");

        var lora = new List<(string, long[])>();
        foreach (var (name, weightShape) in parameters)
        {
            var module = name[..^".weight".Length];
            if (name.EndsWith(".weight", StringComparison.Ordinal) && Targets.Any(t => module.EndsWith("." + t, StringComparison.Ordinal)))
            {
                lora.Add(($"base_model.model.{module}.lora_A.weight", [rank, weightShape[1]]));
                lora.Add(($"base_model.model.{module}.lora_B.weight", [weightShape[0], rank]));
            }
        }

        WriteTensors(Path.Combine(adapterFolder, "adapter_model.safetensors"), lora, TensorDType.F32, scale: 0.01f);
        var adapterConfig = new JsonObject
        {
            ["base_model_name_or_path"] = baseFolder,
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["lora_alpha"] = alpha,
            ["lora_dropout"] = 0.0,
            ["modules_to_save"] = null,
            ["peft_type"] = "LORA",
            ["r"] = rank,
            ["target_modules"] = new JsonArray(Targets.Select(t => (JsonNode)t).ToArray()),
            ["task_type"] = "CAUSAL_LM",
            ["use_rslora"] = false,
        };
        File.WriteAllText(Path.Combine(adapterFolder, "adapter_config.json"), adapterConfig.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return total;
    }

    private static long WriteTensors(string path, IReadOnlyList<(string Name, long[] Shape)> tensors, TensorDType dtype, float scale = 1)
    {
        var entries = tensors.Select(t => new SafetensorsEntry(t.Name, dtype, t.Shape)).ToList();
        using var writer = SafetensorsWriter.Create(path, entries);
        var values = new float[1 << 20];
        var bytes = new byte[values.Length * dtype.ItemSize()];
        for (var i = 0; i < entries.Count; i++)
        {
            var count = TensorDTypes.ElementCount(entries[i].Shape)!.Value;
            for (long done = 0; done < count; done += values.Length)
            {
                var n = (int)Math.Min(values.Length, count - done);
                for (var j = 0; j < n; j++)
                {
                    values[j] = SyntheticShardSet.Value(i, done + j) * scale;
                }

                var output = bytes.AsSpan(0, n * dtype.ItemSize());
                Merge.DTypeConversion.Convert(TensorDType.F32, MemoryMarshal.AsBytes(values.AsSpan(0, n)), dtype, output);
                writer.Append(output);
            }
        }

        writer.Complete();
        return writer.DataLength;
    }
}
