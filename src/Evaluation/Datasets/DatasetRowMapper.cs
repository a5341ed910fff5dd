using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Datasets;

/// <summary>Checks one row's columns against verl's schema and splits them into a <see cref="DatasetRow"/>.</summary>
internal sealed class DatasetRowMapper(DatasetOptions options)
{
    public DatasetRow Map(JsonObject columns, string path, long rowInFile, string uidPrefix, long datasetIndex, long position)
    {
        if (!columns.TryGetPropertyValue(options.PromptKey, out var promptNode))
        {
            throw new DatasetFormatException(path, rowInFile, $"no '{options.PromptKey}' column (columns: {string.Join(", ", columns.Select(c => c.Key))})");
        }

        var prompt = promptNode as JsonArray
            ?? throw new DatasetFormatException(path, rowInFile, $"'{options.PromptKey}' must be a list of chat messages, got {Kind(promptNode)}");
        for (var i = 0; i < prompt.Count; i++)
        {
            if (prompt[i] is not JsonObject message || message["role"] is not JsonValue role || role.GetValueKind() != JsonValueKind.String)
            {
                throw new DatasetFormatException(path, rowInFile, $"'{options.PromptKey}[{i}]' must be an object with a string 'role', got {prompt[i]?.ToJsonString() ?? "null"}");
            }
        }

        string? style = null;
        JsonNode? groundTruth = null;
        if (columns[options.RewardModelKey] is { } rewardNode)
        {
            var reward = rewardNode as JsonObject
                ?? throw new DatasetFormatException(path, rowInFile, $"'{options.RewardModelKey}' must be an object {{style, ground_truth}}, got {Kind(rewardNode)}");
            style = OptionalString(reward, "style", path, rowInFile, options.RewardModelKey + ".style");
            groundTruth = reward["ground_truth"]?.DeepClone();
        }

        var extraInfo = columns["extra_info"] switch
        {
            null => new JsonObject(),
            JsonObject info => (JsonObject)info.DeepClone(),
            var other => throw new DatasetFormatException(path, rowInFile, $"'extra_info' must be an object, got {Kind(other)}"),
        };

        var extra = new JsonObject();
        foreach (var (name, value) in columns)
        {
            if (name != options.PromptKey && name != options.RewardModelKey && name != options.DataSourceKey && name is not ("ability" or "extra_info"))
            {
                extra[name] = value?.DeepClone();
            }
        }

        return new DatasetRow
        {
            Position = position,
            DatasetIndex = datasetIndex,
            SourceFile = path,
            RowInFile = rowInFile,
            Uid = UidOf(columns, uidPrefix, rowInFile),
            Prompt = (JsonArray)prompt.DeepClone(),
            DataSource = OptionalString(columns, options.DataSourceKey, path, rowInFile, options.DataSourceKey),
            Ability = OptionalString(columns, "ability", path, rowInFile, "ability"),
            RewardStyle = style,
            GroundTruth = groundTruth,
            ExtraInfo = extraInfo,
            ExtraColumns = extra,
        };
    }

    private static string UidOf(JsonObject columns, string uidPrefix, long rowInFile) => columns["uid"] switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value when value.GetValueKind() == JsonValueKind.Number => value.ToJsonString(),
        _ => $"{uidPrefix}:{rowInFile}",
    };

    private static string? OptionalString(JsonObject o, string key, string path, long row, string what) => o[key] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        var other => throw new DatasetFormatException(path, row, $"'{what}' must be a string, got {Kind(other)}"),
    };

    private static string Kind(JsonNode? node) => node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant();
}
