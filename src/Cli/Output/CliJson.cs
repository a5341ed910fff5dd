using System.Text.Json;
using System.Text.Json.Serialization;

namespace VerlOrleans.Cli.Output;

/// <summary>How commands print <c>--json</c> output: camelCase, enums as strings, indented.</summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
