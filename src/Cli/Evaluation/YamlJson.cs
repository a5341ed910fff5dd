using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace VerlOrleans.Cli.Evaluation;

/// <summary>
/// A YAML document as JSON, typed the way OmegaConf (verl's config loader) reads plain scalars: null/~, true/false,
/// integers and floats (1e-6 included) become JSON values; quoted scalars stay strings.
/// </summary>
internal static partial class YamlJson
{
    /// <summary>The first document of <paramref name="text"/>; throws <see cref="ArgumentException"/> naming <paramref name="where"/> when it is not YAML.</summary>
    public static JsonNode? Parse(string text, string where)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ArgumentException($"{where}: not valid YAML: {e.Message}", e);
        }

        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode, 0);
    }

    private static JsonNode? Convert(YamlNode node, int depth)
    {
        if (depth > 64)
        {
            throw new ArgumentException("the YAML nests deeper than 64 levels");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var o = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    o[(key as YamlScalarNode)?.Value ?? key.ToString()] = Convert(value, depth + 1);
                }

                return o;
            case YamlSequenceNode sequence:
                return new JsonArray([.. sequence.Children.Select(c => Convert(c, depth + 1))]);
            case YamlScalarNode scalar when scalar.Style is ScalarStyle.Plain:
                return Plain(scalar.Value ?? "");
            case YamlScalarNode scalar:
                return JsonValue.Create(scalar.Value ?? "");
            default:
                return null;
        }
    }

    private static JsonNode? Plain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (Integer().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        return Float().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? JsonValue.Create(number)
            : JsonValue.Create(text);
    }

    [GeneratedRegex(@"\A[-+]?[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex Integer();

    [GeneratedRegex(@"\A[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Float();
}
