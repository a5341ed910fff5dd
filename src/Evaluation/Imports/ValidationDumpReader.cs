using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Imports;

/// <summary>
/// Reads a verl validation dump (<c>RayPPOTrainer._dump_generations</c>: one <c>json.dumps(entry, ensure_ascii=False)</c>
/// line per sample with <c>input</c>, <c>output</c>, <c>gts</c>, <c>score</c>, <c>step</c> and every reward extra whose
/// list had one value per sample, <c>reward</c> included). A line that is not such an object is rejected with the
/// reason and the rest is read. Lines repeating the previous line's input are the prompt's next sample (verl repeats each
/// prompt n times, interleaved), which is how samples are grouped into prompts: the dump holds no uid.
/// </summary>
public static class ValidationDumpReader
{
    /// <summary>A line longer than this is rejected unread (a dump line is one prompt and one response).</summary>
    public const int MaxLineBytes = 16 << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // What _dump_generations writes itself; every other key is a reward extra. "reward" is the score again (verl adds
    // it to the extras): the grid derives it from the score. A dict reward's "score" extra is told apart in Extras.
    private static readonly HashSet<string> BaseKeys = new(StringComparer.Ordinal) { "input", "output", "gts", "score", "step", "data_source", "reward" };

    public static async Task<(List<ImportedSample> Samples, List<ImportRejection> Rejected, long? Step)> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var samples = new List<ImportedSample>();
        var rejected = new List<ImportRejection>();
        var ids = new PromptIds();
        long? step = null;
        string? previousInput = null;
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var line = 0;
        await foreach (var bytes in Lines(stream, cancellationToken))
        {
            line++;
            var where = $"line {line}";
            if (bytes is null)
            {
                rejected.Add(new ImportRejection(where, $"longer than {MaxLineBytes >> 20} MiB"));
                continue;
            }

            if (bytes.Length == 0 || bytes.AsSpan().IndexOfAnyExcept((byte)' ', (byte)'\r', (byte)'\t') < 0)
            {
                continue;
            }

            try
            {
                var entry = Parse(bytes);
                var lineStep = Step(entry);
                if (step is not null && lineStep is not null && lineStep != step)
                {
                    throw new FormatException($"'step' is {lineStep}, earlier lines said {step}");
                }

                step ??= lineStep;
                var input = RequiredString(entry, "input");
                var sameprompt = input == previousInput && samples.Count > 0;
                previousInput = input;
                var last = sameprompt ? samples[^1] : null;
                samples.Add(new ImportedSample
                {
                    Where = where,
                    Uid = last?.Uid ?? ids.Next(input),
                    Position = last?.Position ?? (samples.Count == 0 ? 0 : samples[^1].Position + 1),
                    SampleIndex = last is null ? 0 : last.SampleIndex + 1,
                    DataSource = entry["data_source"] is JsonValue source && source.TryGetValue<string>(out var name) ? name : null,
                    PromptText = input,
                    ResponseText = RequiredString(entry, "output"),
                    GroundTruth = entry["gts"]?.DeepClone(),
                    StoredScore = Number(entry, "score"),
                    StoredExtras = Extras(entry),
                });
            }
            catch (FormatException e)
            {
                rejected.Add(new ImportRejection(where, e.Message));
            }
        }

        return (samples, rejected, step);
    }

    private static JsonObject Parse(byte[] bytes)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new FormatException("not valid UTF-8");
        }

        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false }) as JsonObject
                ?? throw new FormatException("not a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"not valid JSON ({e.Message})");
        }
    }

    private static string RequiredString(JsonObject entry, string key) =>
        entry[key] is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new FormatException(entry.ContainsKey(key) ? $"'{key}' is not a string" : $"has no '{key}'");

    private static double Number(JsonObject entry, string key) =>
        entry[key] is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            ? value.GetValue<double>()
            : entry[key] is JsonValue boolean && boolean.GetValueKind() is JsonValueKind.True or JsonValueKind.False
                ? boolean.GetValue<bool>() ? 1 : 0
                : throw new FormatException(entry.ContainsKey(key) ? $"'{key}' is not a number" : $"has no '{key}'");

    private static long? Step(JsonObject entry) =>
        !entry.ContainsKey("step") ? null
        : entry["step"] is JsonValue value && value.TryGetValue<long>(out var step) ? step
        : throw new FormatException("'step' is not an integer");

    private static List<KeyValuePair<string, ScalarValue>> Extras(JsonObject entry)
    {
        var extras = new List<KeyValuePair<string, ScalarValue>>();
        foreach (var (key, node) in entry)
        {
            if (BaseKeys.Contains(key))
            {
                continue;
            }

            if (!ScalarValue.TryFromJson(node, out var value))
            {
                throw new FormatException($"reward extra '{key}' holds {node!.GetValueKind().ToString().ToLowerInvariant()}; verl's metrics take numbers, booleans and strings");
            }

            extras.Add(new(key, value));
        }

        // A reward that returned a dict had its "score" key recorded as an extra too (verl writes it over the base
        // "score", with the same value); the dump cannot say so, but extras beyond the reward loop's "acc" only come
        // from a dict. verl lists it right after "reward".
        if (extras.Any(e => e.Key != "acc"))
        {
            extras.Insert(0, new("score", ScalarValue.FromNumber(Number(entry, "score"))));
        }

        return extras;
    }

    /// <summary>The file's lines as bytes (without the newline); null for a line over <see cref="MaxLineBytes"/>.</summary>
    private static async IAsyncEnumerable<byte[]?> Lines(Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        var line = new MemoryStream();
        var tooLong = false;
        var first = true;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var start = 0;
            if (first)
            {
                // verl writes no BOM; a file saved by an editor may have one.
                first = false;
                start = read >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0;
            }

            while (start < read)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, read - start);
                var end = newline < 0 ? read : newline;
                if (!tooLong)
                {
                    if (line.Length + (end - start) > MaxLineBytes)
                    {
                        tooLong = true;
                        line.SetLength(0);
                    }
                    else
                    {
                        line.Write(buffer, start, end - start);
                    }
                }

                if (newline < 0)
                {
                    break;
                }

                yield return tooLong ? null : line.ToArray();
                line.SetLength(0);
                tooLong = false;
                start = newline + 1;
            }
        }

        if (tooLong || line.Length > 0)
        {
            yield return tooLong ? null : line.ToArray();
        }
    }
}
