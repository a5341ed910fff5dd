using System.Text.Json;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;
using VerlOrleans.Checkpoints.TorchSave.Pickle;

namespace VerlOrleans.Checkpoints.Synthetic;

/// <summary>
/// Writes a synthetic verl Megatron actor folder (HEAD layout: <c>dist_ckpt/</c> + <c>huggingface/</c>) for benchmarks:
/// the Megatron-core GPT keys with the layer axis, TP chunks as Megatron's torch_dist backend lays them out (column
/// parallel along rows, row parallel along columns, GLU gate/up fragments), bf16 values from
/// <see cref="SyntheticShardSet.Value"/>. Each chunk is its own <c>.distcp</c> file holding one torch.save item (real
/// writers pack several items per file; the reader only follows <c>storage_data</c>), and the <c>.metadata</c> pickle
/// has the classes and field names <c>dcp.save</c> writes.
/// </summary>
public static class SyntheticMegatronCheckpoint
{
    private const string Module = "torch.distributed.checkpoint.metadata";

    /// <summary>Writes the folder and returns the bytes of tensor data written.</summary>
    public static long Write(string actor, DecoderShape shape, int tp)
    {
        var distCkpt = Directory.CreateDirectory(Path.Combine(actor, "dist_ckpt")).FullName;
        var tensors = Tensors(shape);
        var p = new PickleWriter();
        p.Global(Module, "Metadata").EmptyTuple().NewObj().EmptyDict().Mark().String("state_dict_metadata").EmptyDict().Mark();
        var storage = new List<(string Key, long[] Offsets, string File, long Length)>();
        long total = 0;
        var file = 0;
        for (var t = 0; t < tensors.Count; t++)
        {
            var (key, size, tpDim, layered, glu) = tensors[t];
            var chunks = Chunks(size, tpDim, layered, glu, tp);
            p.String(key).Global(Module, "TensorStorageMetadata").EmptyTuple().NewObj().EmptyDict().Mark();
            p.String("properties").Global(Module, "TensorProperties").EmptyTuple().NewObj().Mark().Global("torch", "bfloat16");
            p.Global("torch.serialization", "_get_layout").String("torch.strided").Tuple1().Reduce().Bool(false);
            p.Global(Module, "_MEM_FORMAT_ENCODING").Int(0).Tuple1().Reduce().Bool(false).Tuple().Build();
            p.String("size").Global("torch", "Size").Ints(size).Tuple1().Reduce();
            p.String("chunks").EmptyList().Mark();
            foreach (var (offsets, sizes) in chunks)
            {
                p.Global(Module, "ChunkStorageMetadata").EmptyTuple().NewObj().EmptyDict().Mark();
                p.String("offsets").Global("torch", "Size").Ints(offsets).Tuple1().Reduce();
                p.String("sizes").Global("torch", "Size").Ints(sizes).Tuple1().Reduce().SetItems().Build();
                var name = $"__{file++}_0.distcp";
                var path = Path.Combine(distCkpt, name);
                var index = t;
                TorchSaveWriter.WriteTensor(path, TensorDType.BF16, sizes, zip => WriteValues(zip, index, size, offsets, sizes));
                storage.Add((key, offsets, name, new FileInfo(path).Length));
                total += TensorDTypes.ElementCount(sizes)!.Value * 2;
            }

            p.Appends().SetItems().Build();
        }

        p.SetItems().String("storage_data").EmptyDict().Mark();
        foreach (var (key, offsets, name, length) in storage)
        {
            p.Global(Module, "MetadataIndex").EmptyTuple().NewObj().EmptyDict().Mark().String("fqn").String(key);
            p.String("offset").Global("torch", "Size").Ints(offsets).Tuple1().Reduce().String("index").None().SetItems().Build();
            p.Global("torch.distributed.checkpoint.filesystem", "_StorageInfo").EmptyTuple().NewObj().EmptyDict().Mark();
            p.String("relative_path").String(name).String("offset").Int(0).String("length").Int(length).SetItems().Build();
        }

        p.SetItems().SetItems().Build().Stop();
        File.WriteAllBytes(Path.Combine(distCkpt, ".metadata"), p.ToArray());
        WriteHuggingFace(actor, shape);
        return total;
    }

    /// <summary>
    /// The Megatron-core GPT tensors of <paramref name="shape"/> with their global (layer-axis) sizes, the dim TP splits
    /// (-1: replicated), whether the first dim is the layer axis, and whether the split is GLU's gate/up fragments.
    /// </summary>
    internal static List<(string Key, long[] Size, int TpDim, bool Layered, bool Glu)> Tensors(DecoderShape shape)
    {
        var headDim = shape.HiddenSize / shape.Heads;
        var qkvRows = (shape.Heads + (2 * shape.KeyValueHeads)) * headDim;
        var h = shape.HiddenSize;
        long l = shape.Layers;
        var tensors = new List<(string Key, long[] Size, int TpDim, bool Layered, bool Glu)>
        {
            ("embedding.word_embeddings.weight", [shape.VocabSize, h], 0, false, false),
            ("decoder.final_layernorm.weight", [h], -1, false, false),
            ("decoder.layers.self_attention.linear_qkv.weight", [l, qkvRows, h], 1, true, false),
            ("decoder.layers.self_attention.linear_qkv.bias", [l, qkvRows], 1, true, false),
            ("decoder.layers.self_attention.linear_qkv.layer_norm_weight", [l, h], -1, true, false),
            ("decoder.layers.self_attention.linear_proj.weight", [l, h, shape.Heads * headDim], 2, true, false),
            ("decoder.layers.mlp.linear_fc1.weight", [l, 2 * shape.IntermediateSize, h], 1, true, true),
            ("decoder.layers.mlp.linear_fc1.layer_norm_weight", [l, h], -1, true, false),
            ("decoder.layers.mlp.linear_fc2.weight", [l, h, shape.IntermediateSize], 2, true, false),
        };
        if (!shape.TieWordEmbeddings)
        {
            tensors.Add(("output_layer.weight", [shape.VocabSize, h], 0, false, false));
        }

        return tensors;
    }

    /// <summary>Writes config.json and tokenizer_config.json into <c>huggingface/</c> under <paramref name="folder"/>.</summary>
    internal static void WriteHuggingFace(string folder, DecoderShape shape)
    {
        var hf = Directory.CreateDirectory(Path.Combine(folder, "huggingface")).FullName;
        File.WriteAllText(Path.Combine(hf, "config.json"), JsonSerializer.Serialize(shape.Config(), new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(hf, "tokenizer_config.json"), "{\n  \"model_max_length\": 131072\n}\n");
    }

    /// <summary>The chunk grid: one chunk per layer (when layered) and TP fragment (2·TP for the GLU fc1).</summary>
    internal static List<(long[] Offsets, long[] Sizes)> Chunks(long[] size, int tpDim, bool layered, bool glu, int tp)
    {
        var parts = tpDim < 0 ? 1 : glu ? 2 * tp : tp;
        var result = new List<(long[], long[])>();
        for (long layer = 0; layer < (layered ? size[0] : 1); layer++)
        {
            for (var f = 0; f < parts; f++)
            {
                var offsets = new long[size.Length];
                var sizes = (long[])size.Clone();
                if (layered)
                {
                    offsets[0] = layer;
                    sizes[0] = 1;
                }

                if (tpDim >= 0)
                {
                    sizes[tpDim] = size[tpDim] / parts;
                    offsets[tpDim] = f * sizes[tpDim];
                }

                result.Add((offsets, sizes));
            }
        }

        return result;
    }

    /// <summary>Writes the chunk's values (each element a function of the tensor and its global index) as bf16.</summary>
    internal static void WriteValues(TorchZipWriter zip, int tensorIndex, long[] size, long[] offsets, long[] sizes)
    {
        // Element (i of the chunk) → global row-major index; bf16 = the upper half of the float.
        var buffer = new byte[sizes[^1] * 2];
        var rows = TensorDTypes.ElementCount(sizes)!.Value / sizes[^1];
        var position = new long[size.Length];
        for (long r = 0; r < rows; r++)
        {
            var rest = r;
            for (var d = size.Length - 2; d >= 0; d--)
            {
                position[d] = offsets[d] + (rest % sizes[d]);
                rest /= sizes[d];
            }

            long global = 0;
            for (var d = 0; d < size.Length - 1; d++)
            {
                global = (global * size[d]) + position[d];
            }

            global = (global * size[^1]) + offsets[^1];
            for (var c = 0; c < sizes[^1]; c++)
            {
                var bits = BitConverter.SingleToUInt32Bits(SyntheticShardSet.Value(tensorIndex, global + c));
                buffer[2 * c] = (byte)(bits >> 16);
                buffer[(2 * c) + 1] = (byte)(bits >> 24);
            }

            zip.Write(buffer);
        }
    }
}
