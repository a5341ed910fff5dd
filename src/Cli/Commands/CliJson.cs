using System.Text.Json;

namespace VerlOrleans.Cli.Commands;

/// <summary>How the commands write JSON: UTF-8 text kept readable, as verl writes with <c>ensure_ascii=False</c>.</summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Output = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
