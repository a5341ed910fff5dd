using System.Globalization;
using System.Text.RegularExpressions;

namespace VerlOrleans.Checkpoints.Layouts;

/// <summary>
/// The shape <c>config.json</c> implies for a Hugging Face parameter of the decoder families the grid serves
/// (Qwen2/Qwen2.5, Qwen3, Llama, Mistral): embeddings, attention and MLP projections, norms. Unknown names give null.
/// </summary>
public static partial class HfParameterShapes
{
    /// <summary>The expected shape of <paramref name="name"/>, or null when the config does not determine it.</summary>
    public static long[]? Expected(HfModelConfig config, string name)
    {
        if (config.HiddenSize is not { } h)
        {
            return null;
        }

        switch (name)
        {
            case "model.embed_tokens.weight" or "lm_head.weight":
                return config.VocabSize is { } v ? [v, h] : null;
            case "model.norm.weight":
                return [h];
        }

        var match = LayerParameter().Match(name);
        if (!match.Success)
        {
            return null;
        }

        var layer = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        if (config.NumHiddenLayers is { } layers && layer >= layers)
        {
            return null;
        }

        var q = config.NumAttentionHeads * config.HeadDim;
        var kv = config.NumKeyValueHeads * config.HeadDim;
        var i = config.IntermediateSize;
        return match.Groups[2].Value switch
        {
            "self_attn.q_proj.weight" => q is { } a ? [a, h] : null,
            "self_attn.q_proj.bias" => q is { } b ? [b] : null,
            "self_attn.k_proj.weight" or "self_attn.v_proj.weight" => kv is { } c ? [c, h] : null,
            "self_attn.k_proj.bias" or "self_attn.v_proj.bias" => kv is { } d ? [d] : null,
            "self_attn.o_proj.weight" => q is { } e ? [h, e] : null,
            "self_attn.o_proj.bias" => [h],
            "self_attn.q_norm.weight" or "self_attn.k_norm.weight" => config.HeadDim is { } hd ? [hd] : null,
            "mlp.gate_proj.weight" or "mlp.up_proj.weight" => i is { } f ? [f, h] : null,
            "mlp.down_proj.weight" => i is { } g ? [h, g] : null,
            "input_layernorm.weight" or "post_attention_layernorm.weight" => [h],
            _ => null,
        };
    }

    /// <summary>The decoder layer index a parameter belongs to, or null.</summary>
    public static long? LayerIndex(string name)
    {
        var match = LayerParameter().Match(name);
        return match.Success && long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var layer) ? layer : null;
    }

    [GeneratedRegex(@"^model\.layers\.(\d{1,9})\.(.+)$")]
    private static partial Regex LayerParameter();
}
