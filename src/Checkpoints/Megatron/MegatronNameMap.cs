using System.Globalization;
using System.Text.RegularExpressions;
using VerlOrleans.Checkpoints.Layouts;

namespace VerlOrleans.Checkpoints.Megatron;

/// <summary>
/// Megatron-core GPT parameter names → Hugging Face names, as verl's <c>megatron_model_merger.py</c> maps them for
/// Qwen2/Qwen3/Llama-style models: embedding, output layer, final norm, and per layer the fused QKV (split per query
/// group into q/k/v), its input layer norm, <c>linear_proj</c>, the fused GLU <c>linear_fc1</c> (halves: gate, up),
/// its layer norm, <c>linear_fc2</c>, and Qwen3's q/k norms. Keys of homogeneous layers (<c>decoder.layers.&lt;sub&gt;</c>)
/// carry the layer as a prepended axis; non-homogeneous ones (<c>decoder.layers.N.&lt;sub&gt;</c>) name it.
/// </summary>
public static partial class MegatronNameMap
{
    private enum Cut
    {
        All,
        Q,
        K,
        V,
        FirstHalf,
        SecondHalf,
    }

    private static readonly Dictionary<string, (string Suffix, Cut Cut)[]> LayerParameters = new(StringComparer.Ordinal)
    {
        ["self_attention.linear_qkv.weight"] = [("self_attn.q_proj.weight", Cut.Q), ("self_attn.k_proj.weight", Cut.K), ("self_attn.v_proj.weight", Cut.V)],
        ["self_attention.linear_qkv.bias"] = [("self_attn.q_proj.bias", Cut.Q), ("self_attn.k_proj.bias", Cut.K), ("self_attn.v_proj.bias", Cut.V)],
        ["self_attention.linear_qkv.layer_norm_weight"] = [("input_layernorm.weight", Cut.All)],
        ["self_attention.linear_qkv.layer_norm_bias"] = [("input_layernorm.bias", Cut.All)],
        ["input_layernorm.weight"] = [("input_layernorm.weight", Cut.All)],
        ["self_attention.linear_proj.weight"] = [("self_attn.o_proj.weight", Cut.All)],
        ["self_attention.linear_proj.bias"] = [("self_attn.o_proj.bias", Cut.All)],
        ["self_attention.q_layernorm.weight"] = [("self_attn.q_norm.weight", Cut.All)],
        ["self_attention.k_layernorm.weight"] = [("self_attn.k_norm.weight", Cut.All)],
        ["mlp.linear_fc1.weight"] = [("mlp.gate_proj.weight", Cut.FirstHalf), ("mlp.up_proj.weight", Cut.SecondHalf)],
        ["mlp.linear_fc1.weight_w"] = [("mlp.gate_proj.weight", Cut.All)],
        ["mlp.linear_fc1.weight_v"] = [("mlp.up_proj.weight", Cut.All)],
        ["mlp.linear_fc1.layer_norm_weight"] = [("post_attention_layernorm.weight", Cut.All)],
        ["mlp.linear_fc1.layer_norm_bias"] = [("post_attention_layernorm.bias", Cut.All)],
        ["pre_mlp_layernorm.weight"] = [("post_attention_layernorm.weight", Cut.All)],
        ["mlp.linear_fc2.weight"] = [("mlp.down_proj.weight", Cut.All)],
    };

    private static readonly Dictionary<string, string> TopParameters = new(StringComparer.Ordinal)
    {
        ["embedding.word_embeddings.weight"] = "model.embed_tokens.weight",
        ["output_layer.weight"] = "lm_head.weight",
        ["decoder.final_layernorm.weight"] = "model.norm.weight",
        ["decoder.final_layernorm.bias"] = "model.norm.bias",
    };

    /// <summary>True for the keys of the model (not optimizer, RNG or scheduler state, nor TE <c>_extra_state</c>).</summary>
    public static bool IsModelKey(string key) =>
        (key.StartsWith("embedding.", StringComparison.Ordinal) || key.StartsWith("decoder.", StringComparison.Ordinal) || key.StartsWith("output_layer.", StringComparison.Ordinal))
        && !key.Contains("_extra_state", StringComparison.Ordinal);

    /// <summary>The Hugging Face tensors <paramref name="entry"/> holds; an error message when the key or its shape cannot be mapped.</summary>
    public static (List<MegatronSlice> Slices, string? Error) Map(DcpTensorEntry entry, HfModelConfig config)
    {
        if (entry.Key == "output_layer.weight" && entry.Size is [1, _])
        {
            // verl's Megatron value model (--is-value-model): a one-row head is the critic's score, as the FSDP critic's
            // AutoModelForTokenClassification names it (no lm_head: the validator reports it as a value model).
            return ([new MegatronSlice("score.weight", entry, null, [(0, 1)], entry.Size)], null);
        }

        if (entry.Key == "output_layer.weight" && entry.Size is [var headRows, _] && config.VocabSize is { } vocab && headRows != vocab)
        {
            // Mapped to lm_head it would only fail the vocabulary shape check; say what a head of this shape is not.
            return ([], $"output_layer.weight has {headRows} rows: neither verl's value head (1 row, a critic's LinearForLastLayer) nor the vocabulary (config.json vocab_size {vocab})");
        }

        if (TopParameters.TryGetValue(entry.Key, out var top))
        {
            return ([new MegatronSlice(top, entry, null, [(0, entry.Size.Length == 0 ? 1 : entry.Size[0])], entry.Size)], null);
        }

        var match = LayerKey().Match(entry.Key);
        if (!match.Success || !LayerParameters.TryGetValue(match.Groups[2].Value, out var parts))
        {
            return ([], "no Hugging Face name for this Megatron parameter (MoE, MLA, vision and other non-GPT modules are not supported)");
        }

        var slices = new List<MegatronSlice>();
        IEnumerable<long> layers;
        long[] perLayer;
        if (match.Groups[1].Success)
        {
            layers = [long.Parse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture)];
            perLayer = entry.Size;
        }
        else
        {
            if (entry.Size.Length < 2)
            {
                return ([], $"a decoder.layers key must have a layer axis, but its shape is [{string.Join(", ", entry.Size)}]");
            }

            layers = Enumerable.Range(0, (int)entry.Size[0]).Select(l => (long)l);
            perLayer = entry.Size[1..];
        }

        foreach (var layer in layers)
        {
            foreach (var (suffix, cut) in parts)
            {
                var (rows, error) = Rows(cut, perLayer[0], config);
                if (error is not null)
                {
                    return ([], error);
                }

                var shape = (long[])perLayer.Clone();
                shape[0] = rows.Sum(r => r.Count);
                slices.Add(new MegatronSlice($"model.layers.{layer}.{suffix}", entry, match.Groups[1].Success ? null : layer, rows, shape));
            }
        }

        return (slices, null);
    }

    private static (List<(long Start, long Count)> Rows, string? Error) Rows(Cut cut, long rows, HfModelConfig config)
    {
        switch (cut)
        {
            case Cut.All:
                return ([(0, rows)], null);
            case Cut.FirstHalf or Cut.SecondHalf:
                return rows % 2 != 0
                    ? ([], $"fused gate/up has {rows} rows, not an even number")
                    : ([(cut == Cut.FirstHalf ? 0 : rows / 2, rows / 2)], null);
        }

        if (config.NumAttentionHeads is not { } heads || heads <= 0)
        {
            return ([], "config.json has no num_attention_heads to split the fused QKV");
        }

        var groups = config.NumKeyValueHeads ?? heads;
        if (groups <= 0 || heads % groups != 0)
        {
            return ([], $"num_attention_heads {heads} is not a multiple of num_key_value_heads {groups}");
        }

        var perGroup = heads / groups;
        if (rows % (groups * (perGroup + 2)) != 0)
        {
            return ([], $"fused QKV has {rows} rows, not a multiple of {groups} query groups x ({perGroup} q + k + v) heads");
        }

        var headDim = rows / (groups * (perGroup + 2));
        if (config.HeadDim is { } declared && declared != headDim)
        {
            return ([], $"fused QKV has {rows} rows: head_dim {headDim}, but config.json says head_dim {declared}");
        }

        var groupRows = (perGroup + 2) * headDim;
        var (start, count) = cut switch
        {
            Cut.Q => (0L, perGroup * headDim),
            Cut.K => (perGroup * headDim, headDim),
            _ => ((perGroup + 1) * headDim, headDim),
        };
        return (Enumerable.Range(0, (int)groups).Select(g => ((g * groupRows) + start, count)).ToList(), null);
    }

    [GeneratedRegex(@"^decoder\.layers\.(?:(\d{1,9})\.)?(.+)$")]
    private static partial Regex LayerKey();
}
