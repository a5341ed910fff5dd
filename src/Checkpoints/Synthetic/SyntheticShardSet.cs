using System.Runtime.InteropServices;
using System.Text.Json;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Checkpoints.Synthetic;

/// <summary>Shapes of a Qwen2-style decoder, enough to lay out its parameters.</summary>
public sealed record DecoderShape(long VocabSize, long HiddenSize, long IntermediateSize, int Layers, long Heads, long KeyValueHeads, bool TieWordEmbeddings)
{
    /// <summary>Qwen2.5-1.5B (28 layers; pass fewer to make a smaller checkpoint with the same tensor shapes).</summary>
    public static DecoderShape Qwen25_1_5B(int layers = 28) => new(151936, 1536, 8960, layers, 12, 2, true);

    /// <summary>The Hugging Face parameters in <c>named_parameters</c> order.</summary>
    public IReadOnlyList<(string Name, long[] Shape)> Parameters()
    {
        var headDim = HiddenSize / Heads;
        var q = Heads * headDim;
        var kv = KeyValueHeads * headDim;
        var list = new List<(string, long[])> { ("model.embed_tokens.weight", [VocabSize, HiddenSize]) };
        for (var i = 0; i < Layers; i++)
        {
            var p = $"model.layers.{i}.";
            list.Add((p + "self_attn.q_proj.weight", [q, HiddenSize]));
            list.Add((p + "self_attn.q_proj.bias", [q]));
            list.Add((p + "self_attn.k_proj.weight", [kv, HiddenSize]));
            list.Add((p + "self_attn.k_proj.bias", [kv]));
            list.Add((p + "self_attn.v_proj.weight", [kv, HiddenSize]));
            list.Add((p + "self_attn.v_proj.bias", [kv]));
            list.Add((p + "self_attn.o_proj.weight", [HiddenSize, q]));
            list.Add((p + "mlp.gate_proj.weight", [IntermediateSize, HiddenSize]));
            list.Add((p + "mlp.up_proj.weight", [IntermediateSize, HiddenSize]));
            list.Add((p + "mlp.down_proj.weight", [HiddenSize, IntermediateSize]));
            list.Add((p + "input_layernorm.weight", [HiddenSize]));
            list.Add((p + "post_attention_layernorm.weight", [HiddenSize]));
        }

        list.Add(("model.norm.weight", [HiddenSize]));
        if (!TieWordEmbeddings)
        {
            list.Add(("lm_head.weight", [VocabSize, HiddenSize]));
        }

        return list;
    }

    /// <summary>The config.json a Hugging Face Qwen2 model of this shape has.</summary>
    public Dictionary<string, object> Config() => new()
    {
        ["architectures"] = new[] { "Qwen2ForCausalLM" },
        ["model_type"] = "qwen2",
        ["vocab_size"] = VocabSize,
        ["hidden_size"] = HiddenSize,
        ["intermediate_size"] = IntermediateSize,
        ["num_hidden_layers"] = Layers,
        ["num_attention_heads"] = Heads,
        ["num_key_value_heads"] = KeyValueHeads,
        ["tie_word_embeddings"] = TieWordEmbeddings,
        ["torch_dtype"] = "float32",
    };
}

/// <summary>
/// Writes a synthetic verl FSDP2 actor folder with the project's own torch.save writer: one
/// <c>model_world_size_W_rank_R.pt</c> per rank holding fp32 DTensor Shard(0) chunks (torch.chunk sizes, padded
/// storages like FSDP2), <c>fsdp_config.json</c> and <c>huggingface/</c>. Values are a deterministic function of
/// (tensor index, global element index), so any slice can be regenerated and checked independently:
/// <c>v = ((g * 2654435761 + (t + 1) * 40503) mod 2^24) / 2^24 - 0.5</c>.
/// </summary>
public static class SyntheticShardSet
{
    /// <summary>Writes the folder and returns the bytes of tensor data written (all ranks).</summary>
    public static long Write(string actorFolder, DecoderShape shape, int worldSize, bool padStorages = true)
    {
        Directory.CreateDirectory(actorFolder);
        var parameters = shape.Parameters();
        var mesh = new DeviceMeshInfo([worldSize], Enumerable.Range(0, worldSize).ToArray(), ["fsdp"]);
        long total = 0;
        var buffer = new float[1 << 20];
        for (var rank = 0; rank < worldSize; rank++)
        {
            var tensors = new List<TorchSaveTensor>();
            var firstRows = new List<long>();
            foreach (var (name, global) in parameters)
            {
                var chunk = (global[0] + worldSize - 1) / worldSize;
                var rows = Math.Clamp(global[0] - (rank * chunk), 0, chunk);
                var local = global.ToArray();
                local[0] = rows;
                var inner = global.Skip(1).Aggregate(1L, (a, b) => a * b);
                tensors.Add(new TorchSaveTensor(name, TensorDType.F32, local)
                {
                    StorageElements = padStorages ? chunk * inner : rows * inner,
                    DTensor = new DTensorLayout(global, [new ShardPlacement(0)], mesh, rank),
                });
                firstRows.Add(Math.Min(rank * chunk, global[0]) * inner);
            }

            var path = Path.Combine(actorFolder, $"model_world_size_{worldSize}_rank_{rank}.pt");
            TorchSaveWriter.Write(path, tensors, (i, zip) =>
            {
                var valid = TensorDTypes.ElementCount(tensors[i].Shape)!.Value;
                var storage = tensors[i].StorageBytes / 4;
                for (long done = 0; done < storage; done += buffer.Length)
                {
                    var count = (int)Math.Min(buffer.Length, storage - done);
                    for (var j = 0; j < count; j++)
                    {
                        // Padding after the shard's rows is zero, as FSDP2 leaves it.
                        buffer[j] = done + j < valid ? Value(i, firstRows[i] + done + j) : 0f;
                    }

                    zip.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, count)));
                }

                total += tensors[i].StorageBytes;
            });
        }

        File.WriteAllText(Path.Combine(actorFolder, "fsdp_config.json"), "{\n    \"FSDP_version\": 2,\n    \"world_size\": " + worldSize + "\n}");
        var hf = Directory.CreateDirectory(Path.Combine(actorFolder, "huggingface")).FullName;
        File.WriteAllText(Path.Combine(hf, "config.json"), JsonSerializer.Serialize(shape.Config(), new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(hf, "generation_config.json"), "{\n  \"bos_token_id\": 151643,\n  \"eos_token_id\": 151643\n}\n");
        File.WriteAllText(Path.Combine(hf, "tokenizer_config.json"), "{\n  \"model_max_length\": 131072\n}\n");
        return total;
    }

    /// <summary>The synthetic value of element <paramref name="globalIndex"/> of parameter number <paramref name="tensorIndex"/>.</summary>
    public static float Value(int tensorIndex, long globalIndex) =>
        (float)(((ulong)((globalIndex * 2654435761L) + ((tensorIndex + 1) * 40503L)) & 0xFFFFFF) / 16777216.0 - 0.5);
}
