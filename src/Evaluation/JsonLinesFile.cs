using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation;

/// <summary>
/// Reads a JSON Lines file strictly and lazily: valid UTF-8 (a BOM is allowed), one JSON object per non-blank line.
/// Anything else is a <see cref="JsonLinesFormatException"/> naming the file and the 1-based line.
/// </summary>
public static class JsonLinesFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The objects with their line numbers; blank lines are skipped.</summary>
    public static IEnumerable<(int Line, JsonObject Record)> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new JsonLinesFormatException(path, 0, "file not found");
        }

        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan), StrictUtf8, detectEncodingFromByteOrderMarks: true);
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
                throw new JsonLinesFormatException(path, line + 1, "not valid UTF-8", e);
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
                throw new JsonLinesFormatException(path, line, $"not valid JSON: {e.Message}", e);
            }

            yield return (line, node as JsonObject ?? throw new JsonLinesFormatException(path, line, $"holds {(node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant())}, not a JSON object"));
        }
    }
}
