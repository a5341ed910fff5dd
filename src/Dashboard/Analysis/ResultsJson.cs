using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Dashboard.Analysis;

/// <summary>Reads the small JSON files of a results folder (manifest, prompt report) for display.</summary>
public static class ResultsJson
{
    /// <summary>The object's scalar leaves as (dotted path, text), nested objects flattened, arrays of scalars joined.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Flatten(JsonNode? node, string prefix = "")
    {
        var items = new List<KeyValuePair<string, string>>();
        Walk(node, prefix, items);
        return items;
    }

    /// <summary>A JSON value as a person reads it: strings unquoted, null as "–", numbers in invariant form.</summary>
    public static string Text(JsonNode? node) => node switch
    {
        null => "–",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        JsonArray a when a.All(e => e is JsonValue or null) => string.Join(", ", a.Select(Text)),
        _ => node.ToJsonString(),
    };

    /// <summary>Parses a file's bytes, or null when it is not JSON (a file still being written is never half read: they are renamed into place).</summary>
    public static JsonNode? TryParse(byte[] bytes)
    {
        try
        {
            return bytes.Length == 0 ? null : JsonNode.Parse(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A byte count from a JSON number, or null.</summary>
    public static long? Long(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static void Walk(JsonNode? node, string path, List<KeyValuePair<string, string>> items)
    {
        if (node is JsonObject o)
        {
            foreach (var (key, value) in o)
            {
                Walk(value, path.Length == 0 ? key : $"{path}.{key}", items);
            }
        }
        else
        {
            items.Add(new(path, Text(node)));
        }
    }
}
