using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Datasets;

namespace VerlOrleans.Evaluation.Imports;

/// <summary>
/// Reads verl's generation output (<c>main_generation.py</c> / <c>main_generation_server.py</c>): the dataset parquet
/// with a <c>responses</c> column holding the n responses to each row's prompt, which <c>main_eval.py</c> scores. The
/// dataset columns are read as a run reads them (<see cref="VerlDataset"/>); a row whose <c>responses</c> is not a list
/// of strings is rejected with the reason and the rest is read.
/// </summary>
public static class GenerationOutputReader
{
    /// <summary>main_eval.py's <c>data.response_key</c> default.</summary>
    public const string ResponsesColumn = "responses";

    public static async Task<(List<ImportedSample> Samples, List<ImportRejection> Rejected)> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var dataset = await VerlDataset.OpenAsync([path], cancellationToken: cancellationToken).ConfigureAwait(false);
        var samples = new List<ImportedSample>();
        var rejected = new List<ImportRejection>();
        var ids = new PromptIds();
        await foreach (var row in dataset.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var where = $"row {row.RowInFile}";
            if (!row.ExtraColumns.ContainsKey(ResponsesColumn))
            {
                if (samples.Count == 0 && rejected.Count == 0)
                {
                    throw new ImportFormatException($"{path}: has no '{ResponsesColumn}' column: not a generation output (main_generation writes the n responses to each prompt there)");
                }

                rejected.Add(new ImportRejection(where, $"has no '{ResponsesColumn}'"));
                continue;
            }

            if (Responses(row.ExtraColumns[ResponsesColumn]) is not { } responses)
            {
                rejected.Add(new ImportRejection(where, $"'{ResponsesColumn}' is not a list of strings: {Describe(row.ExtraColumns[ResponsesColumn])}"));
                continue;
            }

            var promptText = Render(row.Prompt);
            var uid = ids.Next(row.Prompt.ToJsonString());
            var extraColumns = (JsonObject)row.ExtraColumns.DeepClone();
            extraColumns.Remove(ResponsesColumn);
            for (var i = 0; i < responses.Count; i++)
            {
                samples.Add(new ImportedSample
                {
                    Where = where,
                    Uid = uid,
                    Position = row.Position,
                    SampleIndex = i,
                    DataSource = row.DataSource,
                    PromptText = promptText,
                    ResponseText = responses[i],
                    GroundTruth = row.GroundTruth?.DeepClone(),
                    ExtraInfo = (JsonObject)row.ExtraInfo.DeepClone(),
                    ExtraColumns = (JsonObject)extraColumns.DeepClone(),
                    Ability = row.Ability,
                });
            }
        }

        return (samples, rejected);
    }

    private static List<string>? Responses(JsonNode? node)
    {
        if (node is not JsonArray array || array.Count == 0)
        {
            return null;
        }

        var responses = new List<string>(array.Count);
        foreach (var item in array)
        {
            if (item is not JsonValue value || !value.TryGetValue<string>(out var text))
            {
                return null;
            }

            responses.Add(text);
        }

        return responses;
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray { Count: 0 } => "an empty list",
        _ => node.GetValueKind() == JsonValueKind.Array ? "a list holding other values" : node.GetValueKind().ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// The prompt as the dashboard shows it: each message's role and content (the output does not say which chat template
    /// the generating model applied).
    /// </summary>
    private static string Render(JsonArray messages)
    {
        var text = new StringBuilder();
        foreach (var message in messages.OfType<JsonObject>())
        {
            if (text.Length > 0)
            {
                text.Append("\n\n");
            }

            text.Append(message["role"]?.GetValue<string>()).Append(": ").Append(message["content"] is JsonValue content && content.TryGetValue<string>(out var s) ? s : message["content"]?.ToJsonString());
        }

        return text.ToString();
    }
}
