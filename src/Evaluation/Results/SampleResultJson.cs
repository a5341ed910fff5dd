using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Results;

/// <summary>The JSON Lines form of a <see cref="SampleResult"/> (snake_case keys, one object per line), both ways.</summary>
public static class SampleResultJson
{
    private static readonly JsonSerializerOptions LineOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static JsonObject ToJson(SampleResult r)
    {
        var extras = new JsonObject();
        foreach (var (key, value) in r.RewardExtras)
        {
            extras[key] = value.ToJson();
        }

        var json = new JsonObject
        {
            ["uid"] = r.Uid,
            ["sample_index"] = r.SampleIndex,
            ["position"] = r.Position,
            ["dataset_index"] = r.DatasetIndex,
            ["source_file"] = r.SourceFile,
            ["row_in_file"] = r.RowInFile,
            ["data_source"] = r.DataSource,
            ["ability"] = r.Ability,
            ["prompt"] = r.PromptText,
            ["response"] = r.ResponseText,
            ["prompt_tokens"] = r.PromptTokens,
            ["response_tokens"] = r.ResponseTokens,
            ["finish_reason"] = r.FinishReason,
            ["ground_truth"] = r.GroundTruth?.DeepClone(),
            ["score"] = r.Score,
            ["reward_extras"] = extras,
            ["extra_info"] = r.ExtraInfo?.DeepClone(),
            ["extra_columns"] = r.ExtraColumns?.DeepClone(),
            ["started_at"] = r.StartedAt?.ToString("O", CultureInfo.InvariantCulture),
            ["generation_seconds"] = r.GenerationSeconds,
            ["scoring_seconds"] = r.ScoringSeconds,
        };
        if (r.RewardError is not null)
        {
            // Only present on failed samples, so results of runs without failures read as before.
            json["reward_error"] = r.RewardError;
        }

        return json;
    }

    /// <summary>One line of a results file (no newline).</summary>
    public static string ToLine(SampleResult result) => ToJson(result).ToJsonString(LineOptions);

    /// <summary>Parses one results line; <paramref name="where"/> (file and line) prefixes every error.</summary>
    public static SampleResult FromLine(string line, string where)
    {
        JsonObject o;
        try
        {
            o = JsonNode.Parse(line) as JsonObject ?? throw new ResultsFormatException($"{where}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new ResultsFormatException($"{where}: not valid JSON: {e.Message}", e);
        }

        return FromJson(o, where);
    }

    public static SampleResult FromJson(JsonObject o, string where)
    {
        var extras = new List<KeyValuePair<string, ScalarValue>>();
        if (o["reward_extras"] is { } extrasNode)
        {
            if (extrasNode is not JsonObject extrasObject)
            {
                throw new ResultsFormatException($"{where}: 'reward_extras' must be an object");
            }

            foreach (var (key, value) in extrasObject)
            {
                extras.Add(new(key, ScalarValue.TryFromJson(value, out var scalar) ? scalar : throw new ResultsFormatException($"{where}: reward_extras.{key} must be a number, bool, string or null")));
            }
        }

        return new SampleResult
        {
            Uid = Text(o, "uid", where) ?? throw Missing("uid", where),
            SampleIndex = Number<int>(o, "sample_index", where) ?? throw Missing("sample_index", where),
            Position = Number<long>(o, "position", where) ?? throw Missing("position", where),
            DatasetIndex = Number<long>(o, "dataset_index", where) ?? 0,
            SourceFile = Text(o, "source_file", where),
            RowInFile = Number<long>(o, "row_in_file", where) ?? 0,
            DataSource = Text(o, "data_source", where) ?? throw Missing("data_source", where),
            Ability = Text(o, "ability", where),
            PromptText = Text(o, "prompt", where) ?? "",
            ResponseText = Text(o, "response", where) ?? throw Missing("response", where),
            PromptTokens = Number<int>(o, "prompt_tokens", where),
            ResponseTokens = Number<int>(o, "response_tokens", where),
            FinishReason = Text(o, "finish_reason", where),
            GroundTruth = o["ground_truth"]?.DeepClone(),
            Score = Number<double>(o, "score", where) ?? throw Missing("score", where),
            RewardExtras = extras,
            RewardError = Text(o, "reward_error", where),
            ExtraInfo = Object(o, "extra_info", where),
            ExtraColumns = Object(o, "extra_columns", where),
            StartedAt = Text(o, "started_at", where) is { } started
                ? DateTimeOffset.TryParse(started, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : throw new ResultsFormatException($"{where}: 'started_at' is not an ISO-8601 time")
                : null,
            GenerationSeconds = Number<double>(o, "generation_seconds", where),
            ScoringSeconds = Number<double>(o, "scoring_seconds", where),
        };
    }

    private static ResultsFormatException Missing(string key, string where) => new($"{where}: '{key}' is missing");

    private static string? Text(JsonObject o, string key, string where) => o[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw Wrong(key, "a string", other, where),
    };

    private static T? Number<T>(JsonObject o, string key, string where)
        where T : struct
    {
        var node = o[key];
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            // Parse the text: a JsonValue built from a CLR int does not convert to long or double itself.
            var text = v.ToJsonString();
            if (typeof(T) == typeof(double) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            {
                return (T)(object)d;
            }

            if (typeof(T) == typeof(long) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                return (T)(object)l;
            }

            if (typeof(T) == typeof(int) && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
            {
                return (T)(object)i;
            }
        }

        throw Wrong(key, typeof(T) == typeof(double) ? "a number" : "an integer", node, where);
    }

    private static JsonObject? Object(JsonObject o, string key, string where) => o[key] switch
    {
        null => null,
        JsonObject value => (JsonObject)value.DeepClone(),
        var other => throw Wrong(key, "an object", other, where),
    };

    private static ResultsFormatException Wrong(string key, string expected, JsonNode node, string where) =>
        new($"{where}: '{key}' must be {expected}, got {node.ToJsonString()}");
}
