using TorchSharp;
using VerlOrleans.Checkpoints;
using VerlOrleans.Checkpoints.Safetensors;
using static TorchSharp.torch;

namespace VerlOrleans.Inference.Models;

/// <summary>
/// All weights of a decoder, resident on one device in one dtype, read from a Hugging Face safetensors model
/// (single file or index) with every tensor name and shape checked against the config.
/// </summary>
public sealed class DecoderWeights : IDisposable
{
    private DecoderWeights(Tensor embedTokens, DecoderLayerWeights[] layers, Tensor norm, Linear lmHead, long bytesRead)
    {
        EmbedTokens = embedTokens;
        Layers = layers;
        Norm = norm;
        LmHead = lmHead;
        BytesRead = bytesRead;
    }

    /// <summary>(vocab, hidden).</summary>
    public Tensor EmbedTokens { get; }

    public IReadOnlyList<DecoderLayerWeights> Layers { get; }

    /// <summary>The final RMSNorm weight.</summary>
    public Tensor Norm { get; }

    /// <summary>(vocab, hidden); shares EmbedTokens' storage when embeddings are tied.</summary>
    public Linear LmHead { get; }

    /// <summary>Bytes read from the safetensors files.</summary>
    public long BytesRead { get; }

    /// <summary>Reads every weight of <paramref name="config"/> from <paramref name="model"/> onto <paramref name="device"/>.</summary>
    public static DecoderWeights Load(ModelConfig config, SafetensorsModel model, ScalarType dtype, Device device)
    {
        RejectUnexpectedTensors(config, model);
        using var reader = new WeightReader(model);
        var parallelism = device.type == DeviceType.CPU ? Math.Max(1, torch.get_num_threads()) : 1;
        long hidden = config.HiddenSize, headDim = config.HeadDim, vocab = config.VocabSize;
        long qRows = config.AttentionHeadCount * headDim, kvRows = config.KeyValueHeadCount * headDim;

        Tensor Read(string name, params long[] shape)
        {
            var tensor = empty(shape, dtype: dtype, device: device);
            reader.ReadInto(name, tensor);
            return tensor;
        }

        // Reads several HF tensors into consecutive row ranges of one fused tensor.
        Tensor ReadFused(long columns, params (string Name, long Rows)[] parts)
        {
            var shape = columns == 0 ? new[] { parts.Sum(p => p.Rows) } : new[] { parts.Sum(p => p.Rows), columns };
            var fused = empty(shape, dtype: dtype, device: device);
            long row = 0;
            foreach (var (name, rows) in parts)
            {
                using var slice = fused.narrow(0, row, rows);
                reader.ReadInto(name, slice);
                row += rows;
            }

            return fused;
        }

        var embedTokens = Read("model.embed_tokens.weight", vocab, hidden);
        var layers = new DecoderLayerWeights[config.LayerCount];
        for (var i = 0; i < config.LayerCount; i++)
        {
            var p = $"model.layers.{i}.";
            var attn = p + "self_attn.";
            layers[i] = new DecoderLayerWeights
            {
                InputLayerNorm = Read(p + "input_layernorm.weight", hidden),
                QkvProj = new Linear(
                    ReadFused(hidden, (attn + "q_proj.weight", qRows), (attn + "k_proj.weight", kvRows), (attn + "v_proj.weight", kvRows)),
                    config.QkvBias ? ReadFused(0, (attn + "q_proj.bias", qRows), (attn + "k_proj.bias", kvRows), (attn + "v_proj.bias", kvRows)) : null,
                    parallelism),
                QNorm = config.QkNorm ? Read(attn + "q_norm.weight", headDim) : null,
                KNorm = config.QkNorm ? Read(attn + "k_norm.weight", headDim) : null,
                OProj = new Linear(Read(attn + "o_proj.weight", hidden, qRows), config.OutputBias ? Read(attn + "o_proj.bias", hidden) : null, parallelism),
                PostAttentionLayerNorm = Read(p + "post_attention_layernorm.weight", hidden),
                GateUpProj = new Linear(
                    ReadFused(hidden, (p + "mlp.gate_proj.weight", config.IntermediateSize), (p + "mlp.up_proj.weight", config.IntermediateSize)),
                    null, parallelism),
                DownProj = new Linear(Read(p + "mlp.down_proj.weight", hidden, config.IntermediateSize), null, parallelism),
            };
        }

        var norm = Read("model.norm.weight", hidden);
        var lmHead = config.TieWordEmbeddings
            ? new Linear(embedTokens.alias(), null, parallelism)
            : new Linear(Read("lm_head.weight", vocab, hidden), null, parallelism);
        return new DecoderWeights(embedTokens, layers, norm, lmHead, reader.BytesRead);
    }

    public void Dispose()
    {
        foreach (var layer in Layers)
        {
            layer.Dispose();
        }

        LmHead.Dispose();
        Norm.Dispose();
        EmbedTokens.Dispose();
    }

    /// <summary>The tensor names a model of <paramref name="config"/> has, in load order.</summary>
    public static IEnumerable<string> ExpectedTensorNames(ModelConfig config)
    {
        yield return "model.embed_tokens.weight";
        for (var i = 0; i < config.LayerCount; i++)
        {
            var p = $"model.layers.{i}.";
            yield return p + "input_layernorm.weight";
            foreach (var proj in new[] { "q_proj", "k_proj", "v_proj" })
            {
                yield return $"{p}self_attn.{proj}.weight";
                if (config.QkvBias)
                {
                    yield return $"{p}self_attn.{proj}.bias";
                }
            }

            if (config.QkNorm)
            {
                yield return p + "self_attn.q_norm.weight";
                yield return p + "self_attn.k_norm.weight";
            }

            yield return p + "self_attn.o_proj.weight";
            if (config.OutputBias)
            {
                yield return p + "self_attn.o_proj.bias";
            }

            yield return p + "post_attention_layernorm.weight";
            yield return p + "mlp.gate_proj.weight";
            yield return p + "mlp.up_proj.weight";
            yield return p + "mlp.down_proj.weight";
        }

        yield return "model.norm.weight";
        if (!config.TieWordEmbeddings)
        {
            yield return "lm_head.weight";
        }
    }

    private static void RejectUnexpectedTensors(ModelConfig config, SafetensorsModel model)
    {
        var expected = ExpectedTensorNames(config).ToHashSet(StringComparer.Ordinal);
        // Older checkpoints carry RoPE buffers, and tied models may still store lm_head: both are ignored, as transformers does.
        var unexpected = model.Tensors.Keys
            .Where(name => !expected.Contains(name)
                && !name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal)
                && !(config.TieWordEmbeddings && name == "lm_head.weight"))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (unexpected.Count > 0)
        {
            throw new CheckpointFormatException(model.Source,
                $"{unexpected.Count} tensor(s) the {config.Architecture} config does not describe, e.g. '{string.Join("', '", unexpected.Take(5))}'");
        }
    }
}
