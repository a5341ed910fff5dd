using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Rewards.Python;

/// <summary>The worker protocol's messages (see reward_worker.py): the batch the host sends and the per-sample replies.</summary>
internal static class WorkerReplies
{
    /// <summary>The batch message for <paramref name="requests"/> from index <paramref name="start"/> on.</summary>
    public static JsonObject Batch(IReadOnlyList<RewardRequest> requests, int start)
    {
        var items = new JsonArray();
        for (var i = start; i < requests.Count; i++)
        {
            var request = requests[i];
            items.Add(new JsonObject
            {
                ["data_source"] = request.DataSource,
                ["solution_str"] = request.SolutionStr,
                ["ground_truth"] = request.GroundTruth?.DeepClone(),
                ["extra_info"] = request.ExtraInfo?.DeepClone(),
            });
        }

        return new JsonObject { ["items"] = items };
    }

    /// <summary>One sample's reply as an outcome; throws <see cref="InvalidDataException"/> when it is not one.</summary>
    public static RewardOutcome Outcome(JsonObject reply)
    {
        if (reply["error"] is not null)
        {
            return RewardOutcome.Failure(RaisedError(reply));
        }

        var score = Number(reply["score"], "score");
        var isDict = reply["dict"] is JsonValue d && d.GetValueKind() == JsonValueKind.True;
        var extras = new List<KeyValuePair<string, ScalarValue>>();
        foreach (var entry in reply["extras"] as JsonArray ?? throw new InvalidDataException("the worker's reply has no 'extras' list"))
        {
            if (entry is not JsonArray { Count: 3 } triple || triple[0] is not JsonValue key || key.GetValueKind() != JsonValueKind.String
                || triple[1] is not JsonValue kind || kind.GetValueKind() != JsonValueKind.String)
            {
                throw new InvalidDataException($"the worker sent a malformed extra: {entry?.ToJsonString()}");
            }

            extras.Add(new(key.GetValue<string>(), kind.GetValue<string>() switch
            {
                "f" => ScalarValue.FromNumber(Number(triple[2], key.GetValue<string>())),
                "b" => ScalarValue.FromBoolean(triple[2] is JsonValue b && b.GetValueKind() == JsonValueKind.True),
                "s" => ScalarValue.FromText(triple[2]?.GetValue<string>() ?? ""),
                "n" => ScalarValue.Null,
                var other => throw new InvalidDataException($"the worker sent an extra of unknown kind '{other}'"),
            }));
        }

        return RewardOutcome.Success(new RewardResult(score, extras) { IsDict = isDict });
    }

    /// <summary>The error text of a failed load or sample: what was raised, its traceback, and what the call printed.</summary>
    public static string RaisedError(JsonObject reply, string lead = "custom reward raised ")
    {
        var text = lead + Text(reply, "error");
        if (Text(reply, "traceback") is { Length: > 0 } traceback)
        {
            text += "\n" + traceback;
        }

        if (Text(reply, "printed") is { Length: > 0 } printed)
        {
            text += "\n--- printed while scoring this sample ---\n" + printed;
        }

        return text;
    }

    private static string Text(JsonObject reply, string key) =>
        reply[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";

    private static double Number(JsonNode? node, string what) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() switch
        {
            "nan" => double.NaN,
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            var other => throw new InvalidDataException($"the worker sent '{other}' for {what}"),
        },
        _ => throw new InvalidDataException($"the worker sent {node?.ToJsonString() ?? "nothing"} for {what}"),
    };
}
