using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Contracts.Models;

namespace VerlOrleans.Silo.OpenAi;

/// <summary>
/// Reads the fields of one OpenAI request body, each with its type and range checked and named in the 400 it causes.
/// A field nobody reads is refused as OpenAI refuses it ("unrecognized request argument"), as the grid's own API
/// refuses unknown fields: a misspelled sampling field must not run with the default.
/// </summary>
public sealed class RequestFields
{
    private readonly JsonObject _body;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private RequestFields(JsonObject body) => _body = body;

    /// <summary>Parses a request body, which must be one JSON object.</summary>
    public static async Task<RequestFields> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw new OpenAiError(StatusCodes.Status400BadRequest, $"The body is not valid JSON: {e.Message.Split('\n')[0]}", "invalid_request_error", null, "invalid_json");
        }

        return node is JsonObject body
            ? new RequestFields(body)
            : throw new OpenAiError(StatusCodes.Status400BadRequest, "The body must be a JSON object.", "invalid_request_error", null, "invalid_json");
    }

    /// <summary>The raw value of <paramref name="name"/> (null when absent or JSON null); marks it read.</summary>
    public JsonNode? Raw(string name)
    {
        _read.Add(name);
        return _body[name];
    }

    /// <summary>A required non-empty string.</summary>
    public string RequiredString(string name) =>
        Raw(name) is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0
            ? s
            : throw OpenAiError.BadField(name, "is required and must be a non-empty string", "missing_required_parameter");

    public bool Bool(string name, bool fallback = false) => Raw(name) switch
    {
        null => fallback,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw OpenAiError.BadField(name, "must be a boolean"),
    };

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    public long? Integer(string name, long? fallback, long min, long max)
    {
        var node = Raw(name);
        if (node is null)
        {
            return fallback;
        }

        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue<long>(out var value))
        {
            throw OpenAiError.BadField(name, "must be an integer");
        }

        return value >= min && value <= max ? value : throw OpenAiError.BadField(name, $"must be between {min} and {max}, got {value}");
    }

    /// <summary>A number passing <paramref name="inRange"/>, or <paramref name="fallback"/> when absent.</summary>
    public double Number(string name, double fallback, Func<double, bool> inRange, string range)
    {
        var node = Raw(name);
        if (node is null)
        {
            return fallback;
        }

        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            throw OpenAiError.BadField(name, "must be a number");
        }

        var value = v.GetValue<double>();
        return inRange(value) ? value : throw OpenAiError.BadField(name, $"must be {range}, got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    /// <summary>
    /// The sampling fields both endpoints share, with the grid's ranges (<see cref="SpecValidation"/>), and the fields
    /// of OpenAI's API this slice does not implement refused when they ask for anything.
    /// </summary>
    public SamplingSettings Sampling(int defaultMaxTokens, int minMaxTokens, params string[] maxTokenNames)
    {
        long? maxTokens = null;
        foreach (var name in maxTokenNames)
        {
            maxTokens ??= Integer(name, null, minMaxTokens, SpecValidation.MaxTokens);
        }

        var seed = Integer("seed", null, 0, long.MaxValue / 2);
        return new SamplingSettings
        {
            N = (int)Integer("n", 1, 1, SpecValidation.MaxN)!.Value,
            Temperature = Number("temperature", 1.0, t => t >= 0 && t <= SpecValidation.MaxTemperature, $"between 0 (greedy) and {SpecValidation.MaxTemperature}"),
            TopP = Number("top_p", 1.0, p => p > 0 && p <= 1, "in (0, 1]"),
            TopK = (int)Integer("top_k", -1, -1, int.MaxValue)!.Value,
            MinP = Number("min_p", 0.0, p => p >= 0 && p <= 1, "in [0, 1]"),
            Seed = seed,
            MaxTokens = (int)(maxTokens ?? defaultMaxTokens),
            Stop = Stops(),
        };
    }

    /// <summary>True when <c>stream_options.include_usage</c> asks for a last chunk with the usage.</summary>
    public bool IncludeUsage()
    {
        var options = Raw("stream_options");
        return options switch
        {
            null => false,
            JsonObject o when o.Count == 0 || (o.Count == 1 && o.ContainsKey("include_usage")) =>
                o["include_usage"] is JsonValue v && v.GetValueKind() == JsonValueKind.True,
            _ => throw OpenAiError.BadField("stream_options", "may only hold include_usage"),
        };
    }

    /// <summary>Refuses the sampler options both endpoints share and the grid's sampler does not have.</summary>
    public void RefuseUnsupportedSampling()
    {
        RefuseUnlessOff("frequency_penalty", "the grid's sampler has no frequency penalty");
        RefuseUnlessOff("presence_penalty", "the grid's sampler has no presence penalty");
        RefuseUnlessOff("logit_bias", "the grid's sampler has no logit bias");
    }

    /// <summary>Refuses a field this endpoint cannot honour unless it is absent or asks for nothing (null, false, 0, empty).</summary>
    public void RefuseUnlessOff(string name, string why)
    {
        var node = Raw(name);
        var off = node switch
        {
            null => true,
            JsonValue v => v.GetValueKind() switch
            {
                JsonValueKind.False => true,
                JsonValueKind.Number => v.GetValue<double>() == 0,
                _ => false,
            },
            JsonObject o => o.Count == 0,
            JsonArray a => a.Count == 0,
            _ => false,
        };
        if (!off)
        {
            throw OpenAiError.Unsupported(name, why);
        }
    }

    /// <summary>Accepts fields that change nothing here (<c>user</c> and the like) without reading them.</summary>
    public void Ignore(params string[] names)
    {
        foreach (var name in names)
        {
            _read.Add(name);
        }
    }

    /// <summary>Refuses the first field no one read: call after every field was read.</summary>
    public void RefuseUnread()
    {
        if (_body.Select(p => p.Key).FirstOrDefault(k => !_read.Contains(k)) is { } unknown)
        {
            throw new OpenAiError(StatusCodes.Status400BadRequest, $"Unrecognized request argument supplied: {unknown}", "invalid_request_error", unknown, "unrecognized_argument");
        }
    }

    private IReadOnlyList<string> Stops()
    {
        var node = Raw("stop");
        List<string> stops = node switch
        {
            null => [],
            JsonValue v when v.TryGetValue<string>(out var one) => [one],
            JsonArray a when a.All(s => s is JsonValue e && e.TryGetValue<string>(out _)) => a.Select(s => s!.GetValue<string>()).ToList(),
            _ => throw OpenAiError.BadField("stop", "must be a string or an array of strings"),
        };
        if (stops.Count > SpecValidation.MaxStops || stops.Any(s => s.Length == 0 || s.Length > SpecValidation.MaxStopLength))
        {
            throw OpenAiError.BadField("stop", $"may hold at most {SpecValidation.MaxStops} non-empty strings of at most {SpecValidation.MaxStopLength} characters");
        }

        return stops;
    }
}
