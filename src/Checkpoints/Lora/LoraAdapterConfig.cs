using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Checkpoints.Lora;

/// <summary>
/// A PEFT <c>adapter_config.json</c> (<c>LoraConfig.to_dict()</c>, as <c>save_pretrained</c> writes it, or
/// <c>asdict(LoraConfig)</c> as verl's legacy worker writes it into <c>actor/lora_adapter/</c>): the fields a merge needs,
/// under PEFT's own names.
/// </summary>
public sealed class LoraAdapterConfig
{
    public const string FileName = "adapter_config.json";

    private LoraAdapterConfig(string path, JsonObject root)
    {
        Path = path;
        PeftType = ReadString(root, path, "peft_type");
        TaskType = ReadString(root, path, "task_type");
        R = ReadRank(root, path, "r");
        LoraAlpha = ReadNumber(root, path, "lora_alpha");
        TargetModules = ReadTargets(root, path, "target_modules");
        ExcludeModules = ReadTargets(root, path, "exclude_modules");
        FanInFanOut = ReadBool(root, path, "fan_in_fan_out") ?? false;
        UseRslora = ReadBool(root, path, "use_rslora") ?? false;
        UseDora = ReadBool(root, path, "use_dora") ?? false;
        LoraBias = ReadBool(root, path, "lora_bias") ?? false;
        Bias = ReadString(root, path, "bias") ?? "none";
        BaseModelNameOrPath = ReadString(root, path, "base_model_name_or_path");
        RankPattern = ReadPattern(root, path, "rank_pattern").ToDictionary(p => p.Key, p => checked((int)p.Value), StringComparer.Ordinal);
        AlphaPattern = ReadPattern(root, path, "alpha_pattern");
        RestrictsLayers = root["layers_to_transform"] is not null;
        Unsupported = FindUnsupported(root).ToList();
    }

    public string Path { get; }

    /// <summary><c>LORA</c> for a LoRA adapter.</summary>
    public string? PeftType { get; }

    public string? TaskType { get; }

    /// <summary>The rank <c>r</c> (per-module overrides in <see cref="RankPattern"/>).</summary>
    public int? R { get; }

    /// <summary><c>lora_alpha</c>; 0 is verl's known merger bug (see <see cref="LoraSettings"/>).</summary>
    public double? LoraAlpha { get; }

    public TargetModules? TargetModules { get; }

    public TargetModules? ExcludeModules { get; }

    /// <summary>True for Conv1D layers that store weights as [in, out]; PEFT corrects it per layer type.</summary>
    public bool FanInFanOut { get; }

    /// <summary>Rank-stabilised LoRA: scale alpha/√r instead of alpha/r.</summary>
    public bool UseRslora { get; }

    public bool UseDora { get; }

    public bool LoraBias { get; }

    /// <summary><c>none</c>, <c>all</c> or <c>lora_only</c>.</summary>
    public string Bias { get; }

    /// <summary>The base model the adapter was trained on: a hub name or a local folder.</summary>
    public string? BaseModelNameOrPath { get; }

    /// <summary>Per-module rank overrides: PEFT matches each key with <c>re.match(rf"(^|.*\.){key}$", module)</c>.</summary>
    public IReadOnlyDictionary<string, int> RankPattern { get; }

    /// <summary>Per-module lora_alpha overrides, matched like <see cref="RankPattern"/>.</summary>
    public IReadOnlyDictionary<string, double> AlphaPattern { get; }

    /// <summary>layers_to_transform is set: only some layers have LoRA weights.</summary>
    public bool RestrictsLayers { get; }

    /// <summary>Features set in the config that this merge does not implement, each with why it matters.</summary>
    public IReadOnlyList<string> Unsupported { get; }

    /// <summary>Reads <paramref name="path"/>; malformed JSON or mistyped fields throw <see cref="CheckpointFormatException"/> naming the field.</summary>
    public static LoraAdapterConfig Load(string path)
    {
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
            return node is JsonObject root ? new LoraAdapterConfig(path, root) : throw new CheckpointFormatException(path, "not a JSON object");
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"not valid JSON: {e.Message}", e);
        }
    }

    internal static int? ReadRank(JsonObject root, string path, string name)
    {
        if (ReadNumber(root, path, name) is not { } value)
        {
            return null;
        }

        return value >= 1 && value <= 1 << 20 && value == Math.Floor(value)
            ? (int)value
            : throw new CheckpointFormatException(path, $"'{name}' is {value.ToString(CultureInfo.InvariantCulture)}, not a positive whole rank");
    }

    internal static double? ReadNumber(JsonObject root, string path, string name) => root[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && double.IsFinite(d) => d,
        var other => throw new CheckpointFormatException(path, $"'{name}' is {other.ToJsonString()}, not a number"),
    };

    private static string? ReadString(JsonObject root, string path, string name) => root[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw new CheckpointFormatException(path, $"'{name}' is {other.ToJsonString()}, not a string"),
    };

    private static bool? ReadBool(JsonObject root, string path, string name) => root[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        var other => throw new CheckpointFormatException(path, $"'{name}' is {other.ToJsonString()}, not true or false"),
    };

    private static TargetModules? ReadTargets(JsonObject root, string path, string name)
    {
        try
        {
            return Lora.TargetModules.Parse(root[name]);
        }
        catch (FormatException e)
        {
            throw new CheckpointFormatException(path, $"'{name}': {e.Message}", e);
        }
    }

    private static Dictionary<string, double> ReadPattern(JsonObject root, string path, string name)
    {
        var pattern = new Dictionary<string, double>(StringComparer.Ordinal);
        switch (root[name])
        {
            case null:
                return pattern;
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    pattern[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d > 0
                        ? d
                        : throw new CheckpointFormatException(path, $"'{name}.{key}' is {value?.ToJsonString() ?? "null"}, not a positive number");
                }

                return pattern;
            case var other:
                throw new CheckpointFormatException(path, $"'{name}' is {other.ToJsonString()}, not an object");
        }
    }

    private IEnumerable<string> FindUnsupported(JsonObject root)
    {
        if (PeftType is not null and not "LORA")
        {
            yield return $"peft_type is '{PeftType}', not LORA";
        }

        if (UseDora)
        {
            yield return "use_dora is true: DoRA rescales each weight by its magnitude vector, which this merge does not implement";
        }

        if (Bias != "none")
        {
            yield return $"bias is '{Bias}': the adapter carries trained biases, which this merge does not implement (verl trains with bias 'none')";
        }

        if (LoraBias)
        {
            yield return "lora_bias is true: lora_B has a bias, which this merge does not implement";
        }

        foreach (var name in new[] { "modules_to_save", "layer_replication", "trainable_token_indices", "target_parameters" })
        {
            if (root[name] is { } value && !(value is JsonArray { Count: 0 } || value is JsonObject { Count: 0 }))
            {
                yield return $"{name} is {value.ToJsonString()}, which this merge does not implement (verl sets none of them)";
            }
        }
    }
}
