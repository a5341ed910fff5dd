using System.Globalization;
using System.Text.Json;
using VerlOrleans.Checkpoints;

namespace VerlOrleans.Inference.Models;

/// <summary>Typed, bounded reads of config.json fields, each failing with the file and key named.</summary>
internal sealed class ConfigJson(string path, JsonElement root)
{
    public string Path { get; } = path;

    public static ConfigJson Parse(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointFormatException(path, $"cannot read: {e.Message}", e);
        }

        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointFormatException(path, "is not a JSON object");
            }

            return new ConfigJson(path, document.RootElement.Clone());
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"is not valid JSON: {e.Message}", e);
        }
    }

    public bool Has(string key) => root.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null;

    public JsonElement? Element(string key) => Has(key) ? root.GetProperty(key) : null;

    public int Int(string key, int min, int max, int? fallback = null)
    {
        if (!Has(key))
        {
            return fallback ?? throw Missing(key);
        }

        var value = root.GetProperty(key);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            throw new CheckpointFormatException(Path, $"'{key}' must be an integer, found {value.GetRawText()}");
        }

        if (number < min || number > max)
        {
            throw new CheckpointFormatException(Path, $"'{key}' is {number}, outside [{min}, {max}]");
        }

        return (int)number;
    }

    public double Double(string key, double min, double max, double? fallback = null) =>
        Has(key) ? Number(root.GetProperty(key), key, min, max) : fallback ?? throw Missing(key);

    public bool Bool(string key, bool fallback)
    {
        if (!Has(key))
        {
            return fallback;
        }

        var value = root.GetProperty(key);
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new CheckpointFormatException(Path, $"'{key}' must be true or false, found {value.GetRawText()}"),
        };
    }

    public string? String(string key)
    {
        if (!Has(key))
        {
            return null;
        }

        var value = root.GetProperty(key);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new CheckpointFormatException(Path, $"'{key}' must be a string, found {value.GetRawText()}");
    }

    /// <summary>An integer or a list of integers (how HF writes <c>eos_token_id</c>); empty when absent.</summary>
    public IReadOnlyList<int> IntOrList(string key, int max)
    {
        if (!Has(key))
        {
            return [];
        }

        var value = root.GetProperty(key);
        var items = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : [value];
        return items.Select((item, i) =>
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var id) || id < 0 || id > max)
            {
                throw new CheckpointFormatException(Path, $"'{key}'[{i}] must be a token id in [0, {max}], found {item.GetRawText()}");
            }

            return (int)id;
        }).ToList();
    }

    public double Number(JsonElement value, string key, double min, double max)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            throw new CheckpointFormatException(Path, $"'{key}' must be a number, found {value.GetRawText()}");
        }

        if (number < min || number > max)
        {
            throw new CheckpointFormatException(Path, $"'{key}' is {number.ToString(CultureInfo.InvariantCulture)}, outside [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]");
        }

        return number;
    }

    private CheckpointFormatException Missing(string key) => new(Path, $"missing required field '{key}'");
}
