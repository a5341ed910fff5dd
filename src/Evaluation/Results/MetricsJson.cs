using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Results;

/// <summary><c>metrics.json</c>: one JSON object of verl-named metrics, in computation order.</summary>
public static class MetricsJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Serialize(IEnumerable<KeyValuePair<string, double>> metrics)
    {
        var o = new JsonObject();
        foreach (var (name, value) in metrics)
        {
            o[name] = value;
        }

        return o.ToJsonString(Options) + "\n";
    }

    public static IReadOnlyList<KeyValuePair<string, double>> Read(string path)
    {
        try
        {
            var o = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new ResultsFormatException($"{path}: not a JSON object");
            return o.Select(p => new KeyValuePair<string, double>(p.Key, p.Value?.GetValue<double>() ?? throw new ResultsFormatException($"{path}: '{p.Key}' is null"))).ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new ResultsFormatException($"{path}: not a metrics file: {e.Message}", e);
        }
    }
}
