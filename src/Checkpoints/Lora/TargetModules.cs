using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VerlOrleans.Checkpoints.Lora;

/// <summary>
/// PEFT's <c>target_modules</c> / <c>exclude_modules</c>: a list of names (a module matches when its full name is one
/// of them or ends with <c>.name</c>), a regular expression the whole module name must match, or <c>all-linear</c>.
/// </summary>
public sealed class TargetModules
{
    public const string AllLinearName = "all-linear";

    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);
    private readonly IReadOnlyList<string>? _names;
    private readonly Regex? _pattern;

    private TargetModules(IReadOnlyList<string>? names, Regex? pattern, bool allLinear, string text)
    {
        _names = names;
        _pattern = pattern;
        AllLinear = allLinear;
        Text = text;
    }

    /// <summary>Every linear layer but the output head (PEFT resolves this to the names it finds).</summary>
    public bool AllLinear { get; }

    /// <summary>As written, for messages.</summary>
    public string Text { get; }

    /// <summary>Parses the JSON value; null for JSON null or absent; throws <see cref="FormatException"/> when it is neither a string nor a list of strings.</summary>
    public static TargetModules? Parse(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                var text = value.GetValue<string>();
                if (text == AllLinearName)
                {
                    return new TargetModules(null, null, true, text);
                }

                try
                {
                    // re.fullmatch semantics.
                    return new TargetModules(null, new Regex($@"\A(?:{text})\z", RegexOptions.CultureInvariant, RegexTimeout), false, text);
                }
                catch (ArgumentException e)
                {
                    throw new FormatException($"'{text}' is not a regular expression: {e.Message}", e);
                }

            case JsonArray array when array.All(i => i is JsonValue v && v.GetValueKind() == JsonValueKind.String):
                var names = array.Select(i => i!.GetValue<string>()).ToList();
                return new TargetModules(names, null, false, $"[{string.Join(", ", names)}]");
            default:
                throw new FormatException($"{node.ToJsonString()} is neither a module name pattern nor a list of module names");
        }
    }

    /// <summary>A list of names, as lora_train_meta.json or the shards imply.</summary>
    public static TargetModules Of(IReadOnlyList<string> names) => new(names, null, false, $"[{string.Join(", ", names)}]");

    /// <summary>PEFT's check_target_module_exists for one module name (e.g. <c>model.layers.0.self_attn.q_proj</c>).</summary>
    public bool Matches(string module)
    {
        if (AllLinear)
        {
            return !module.EndsWith("lm_head", StringComparison.Ordinal) && !module.EndsWith("embed_tokens", StringComparison.Ordinal);
        }

        return _pattern is not null
            ? _pattern.IsMatch(module)
            : _names!.Any(n => module == n || module.EndsWith("." + n, StringComparison.Ordinal));
    }
}
