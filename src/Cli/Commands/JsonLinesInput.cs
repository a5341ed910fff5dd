using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Cli.Commands;

/// <summary>Reads a JSON Lines input file strictly: valid UTF-8, one JSON object per non-blank line; errors name file and line.</summary>
internal static class JsonLinesInput
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Thrown for input that cannot be read as JSON Lines at all (exit code 2).</summary>
    public sealed class UnreadableInputException(string message, Exception? inner = null) : Exception(message, inner);

    public static IEnumerable<(int Line, JsonObject Record)> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new UnreadableInputException($"{path}: file not found");
        }

        using var reader = new StreamReader(path, StrictUtf8, detectEncodingFromByteOrderMarks: true);
        var line = 0;
        while (true)
        {
            string? text;
            try
            {
                text = reader.ReadLine();
            }
            catch (DecoderFallbackException e)
            {
                throw new UnreadableInputException($"{path}: line {line + 1}: not valid UTF-8", e);
            }

            if (text is null)
            {
                yield break;
            }

            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            JsonNode? node;
            try
            {
                node = JsonNode.Parse(text);
            }
            catch (JsonException e)
            {
                throw new UnreadableInputException($"{path}: line {line}: not valid JSON: {e.Message}", e);
            }

            yield return (line, node as JsonObject ?? throw new UnreadableInputException($"{path}: line {line}: expected a JSON object"));
        }
    }

    /// <summary>The JSON options output lines use: UTF-8 text kept readable, as verl writes with <c>ensure_ascii=False</c>.</summary>
    public static readonly JsonSerializerOptions OutputOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
