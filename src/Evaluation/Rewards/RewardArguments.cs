using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Rewards;

/// <summary>Reads a scorer's keyword arguments strictly: unknown names and wrong types are errors naming the key.</summary>
internal sealed class RewardArguments
{
    private readonly string _rewardName;
    private readonly IReadOnlyDictionary<string, JsonNode?> _kwargs;

    public RewardArguments(string rewardName, IReadOnlyDictionary<string, JsonNode?>? kwargs, params string[] allowed)
    {
        _rewardName = rewardName;
        _kwargs = kwargs ?? new Dictionary<string, JsonNode?>();
        foreach (var key in _kwargs.Keys)
        {
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                throw new RewardConfigurationException(
                    $"reward '{rewardName}' has no keyword argument '{key}' (it takes: {(allowed.Length == 0 ? "none" : string.Join(", ", allowed))})");
            }
        }
    }

    public double Number(string key, double fallback)
    {
        if (!_kwargs.TryGetValue(key, out var node) || node is null)
        {
            return fallback;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            && double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        throw Wrong(key, "a number", node);
    }

    public bool Boolean(string key, bool fallback)
    {
        if (!_kwargs.TryGetValue(key, out var node) || node is null)
        {
            return fallback;
        }

        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Wrong(key, "true or false", node),
        };
    }

    public string Text(string key, string fallback, params string[] choices)
    {
        if (!_kwargs.TryGetValue(key, out var node) || node is null)
        {
            return fallback;
        }

        if (node is JsonValue value && value.TryGetValue<string>(out var text) && (choices.Length == 0 || choices.Contains(text, StringComparer.Ordinal)))
        {
            return text;
        }

        throw Wrong(key, choices.Length == 0 ? "a string" : "one of " + string.Join(", ", choices.Select(c => $"\"{c}\"")), node);
    }

    public IReadOnlyList<long>? Integers(string key)
    {
        if (!_kwargs.TryGetValue(key, out var node) || node is null)
        {
            return null;
        }

        if (node is not JsonArray array)
        {
            throw Wrong(key, "an array of integers", node);
        }

        // Parsing the JSON text works whatever CLR type backs each value (a JsonValue made from an int will not
        // hand out a long).
        var integers = new List<long>();
        foreach (var item in array)
        {
            if (item is not JsonValue v || v.GetValueKind() != JsonValueKind.Number
                || !long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                throw Wrong(key, "an array of integers", node);
            }

            integers.Add(integer);
        }

        return integers;
    }

    private RewardConfigurationException Wrong(string key, string expected, JsonNode node) =>
        new($"reward '{_rewardName}': keyword argument '{key}' must be {expected}, got {node.ToJsonString()}");
}
