using System.Text.RegularExpressions;

namespace VerlOrleans.Checkpoints.Lora;

/// <summary>What a state-dict key of a PEFT-wrapped model (or a PEFT adapter file) is.</summary>
internal enum PeftKeyKind
{
    /// <summary>An ordinary parameter: <see cref="PeftKey.Name"/> is its Hugging Face name.</summary>
    Parameter,

    /// <summary><c>lora_A</c> [r, in] of <see cref="PeftKey.Module"/>.</summary>
    LoraA,

    /// <summary><c>lora_B</c> [out, r] of <see cref="PeftKey.Module"/>.</summary>
    LoraB,

    /// <summary>A PEFT tensor this merge does not implement (<see cref="PeftKey.Problem"/> says which).</summary>
    Unsupported,
}

/// <summary>
/// One key of a PEFT-wrapped state dict, as verl's FSDP shards hold them
/// (<c>base_model.model.model.layers.0.self_attn.q_proj.base_layer.weight</c>, <c>...q_proj.lora_A.default.weight</c>,
/// <c>base_model.model.model.norm.weight</c>) or as an adapter file names them (<c>...q_proj.lora_A.weight</c>), mapped
/// like verl's merger maps them: strip <c>base_model.model.</c>, <c>.base_layer.</c> becomes <c>.</c>.
/// </summary>
internal readonly partial record struct PeftKey(PeftKeyKind Kind, string Key, string Name, string Module, string? Adapter, string? Problem)
{
    public const string Prefix = "base_model.model.";

    public static PeftKey Parse(string key)
    {
        var name = key.StartsWith(Prefix, StringComparison.Ordinal) ? key[Prefix.Length..] : key;
        var match = LoraWeight().Match(name);
        if (match.Success)
        {
            var adapter = match.Groups["adapter"].Success ? match.Groups["adapter"].Value : null;
            var kind = match.Groups["ab"].Value == "A" ? PeftKeyKind.LoraA : PeftKeyKind.LoraB;
            return new PeftKey(kind, key, name, match.Groups["module"].Value, adapter, null);
        }

        var problem =
            name.Contains(".lora_embedding_", StringComparison.Ordinal) ? "LoRA on an embedding layer (lora_embedding_A/B) is not implemented"
            : name.Contains(".lora_magnitude_vector", StringComparison.Ordinal) ? "DoRA (lora_magnitude_vector) is not implemented"
            : name.Contains(".lora_A.", StringComparison.Ordinal) || name.Contains(".lora_B.", StringComparison.Ordinal) ? "a LoRA tensor other than a weight (lora_bias?) is not implemented"
            : name.Contains(".modules_to_save.", StringComparison.Ordinal) || name.Contains(".original_module.", StringComparison.Ordinal) ? "modules_to_save copies are not implemented"
            : null;
        return problem is not null
            ? new PeftKey(PeftKeyKind.Unsupported, key, name, string.Empty, null, problem)
            : new PeftKey(PeftKeyKind.Parameter, key, name.Replace(".base_layer.", ".", StringComparison.Ordinal), string.Empty, null, null);
    }

    /// <summary>True when the key can only come from a PEFT-wrapped model.</summary>
    public static bool IsPeft(string key) =>
        key.StartsWith(Prefix, StringComparison.Ordinal) || key.Contains(".base_layer.", StringComparison.Ordinal) || key.Contains(".lora_", StringComparison.Ordinal);

    [GeneratedRegex(@"^(?<module>.+)\.lora_(?<ab>A|B)(?:\.(?<adapter>[^.]+))?\.weight$")]
    private static partial Regex LoraWeight();
}
