using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Results;

/// <summary>Reads and writes <c>manifest.json</c> (snake_case, indented) and compares manifests for resuming.</summary>
public static class ManifestJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string Serialize(RunManifest manifest) => JsonSerializer.Serialize(manifest, Options);

    public static RunManifest Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<RunManifest>(File.ReadAllText(path), Options)
                ?? throw new ResultsFormatException($"{path}: empty manifest");
        }
        catch (JsonException e)
        {
            throw new ResultsFormatException($"{path}: not a valid run manifest: {e.Message}", e);
        }
    }

    /// <summary>
    /// The first setting in which <paramref name="resumed"/> differs from <paramref name="existing"/>, as a JSON path
    /// with both values, or null when a run with <paramref name="resumed"/> may continue the existing one.
    /// </summary>
    public static string? FirstDifference(RunManifest existing, RunManifest resumed)
    {
        var a = Comparable(existing);
        var b = Comparable(resumed);
        return Difference(a, b, "$");
    }

    /// <summary>
    /// The results cache's key: a SHA-256 of what decides a run's results — the dataset files by content, the rows
    /// chosen, the model's content hash and dtype, sampling, prompt and reward settings, and the seeds. Paths are left
    /// out (the same files elsewhere give the same results), and so are the seeds of a greedy run (temperature 0 draws
    /// nothing from them).
    /// </summary>
    public static string CacheKey(RunManifest manifest)
    {
        var node = Comparable(manifest with { Import = null, ReusedFrom = null })!.AsObject();
        (node["model"] as JsonObject)?.Remove("path");
        if (manifest.Sampling is { Temperature: 0 })
        {
            node.Remove("seed");
            (node["sampling"] as JsonObject)?.Remove("seed");
        }

        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(node.ToJsonString())));
    }

    private static JsonNode? Comparable(RunManifest manifest)
    {
        var node = JsonSerializer.SerializeToNode(manifest with { CreatedAt = default, Tool = new Dictionary<string, string>() }, Options)!;
        foreach (var input in node["inputs"]!.AsArray())
        {
            // The same content may sit at another path after a move; the hash is what identifies it.
            input!.AsObject().Remove("path");
        }

        // The reward file likewise: its content hash identifies it.
        (node["reward"]?["custom"] as JsonObject)?.Remove("path");

        return node;
    }

    private static string? Difference(JsonNode? a, JsonNode? b, string path)
    {
        switch (a, b)
        {
            case (JsonObject x, JsonObject y):
                foreach (var key in x.Select(p => p.Key).Union(y.Select(p => p.Key)))
                {
                    if (Difference(x[key], y[key], $"{path}.{key}") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case (JsonArray x, JsonArray y) when x.Count == y.Count:
                for (var i = 0; i < x.Count; i++)
                {
                    if (Difference(x[i], y[i], $"{path}[{i}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            default:
                return JsonNode.DeepEquals(a, b) ? null : $"{path}: {a?.ToJsonString() ?? "null"} in the folder, {b?.ToJsonString() ?? "null"} now";
        }
    }
}
