using System.Text.Json;
using System.Text.Json.Serialization;

namespace VerlOrleans.Cli.Output;

/// <summary>How commands print JSON.</summary>
internal static class CliJson
{
    /// <summary><c>--json</c> reports: camelCase, enums as kebab-case strings, indented.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>JSON Lines records: one compact line each, UTF-8 kept readable as verl writes with <c>ensure_ascii=False</c>.</summary>
    public static readonly JsonSerializerOptions Lines = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
