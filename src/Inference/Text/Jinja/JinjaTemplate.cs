using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>
/// A Jinja2 template parsed once and rendered many times, configured as transformers configures chat templates
/// (<c>trim_blocks</c>, <c>lstrip_blocks</c>, loop controls, immutable sandbox, <c>tojson</c> =
/// <c>json.dumps(ensure_ascii=False)</c>, globals <c>raise_exception</c> and <c>strftime_now</c>). Variables are
/// JSON, so arbitrary messages and tool schemas pass through unchanged. Thread-safe: each render has its own state.
/// </summary>
public sealed class JinjaTemplate
{
    private readonly IReadOnlyList<JinjaNode> _nodes;

    private JinjaTemplate(string source, IReadOnlyList<JinjaNode> nodes)
    {
        Source = source;
        _nodes = nodes;
    }

    public string Source { get; }

    /// <summary>Parses <paramref name="source"/>; a syntax error is a <see cref="JinjaException"/> with its line and column.</summary>
    public static JinjaTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new JinjaTemplate(source, JinjaParser.Parse(source));
    }

    /// <summary>Renders with <paramref name="variables"/> (JSON values; a missing one is Undefined) and the clock <c>strftime_now</c> reads.</summary>
    public string Render(IReadOnlyDictionary<string, JsonNode?> variables, JinjaLimits? limits = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(variables);
        limits ??= JinjaLimits.Default;
        clock ??= TimeProvider.System;
        var globals = new JinjaRenderer.Scope(null);
        AddGlobals(globals.Variables, limits, clock);
        foreach (var (name, value) in variables)
        {
            globals.Variables[name] = FromJson(value, name);
        }

        return new JinjaRenderer(limits).Render(_nodes, globals);
    }

    private static void AddGlobals(Dictionary<string, object?> globals, JinjaLimits limits, TimeProvider clock)
    {
        globals["raise_exception"] = new JinjaCallable("raise_exception", (args, _) =>
            throw new JinjaRuntimeError(args.Count > 0 ? PythonFormatting.Str(args[0]) : "raise_exception() called", JinjaErrorKind.Raised));
        globals["strftime_now"] = new JinjaCallable("strftime_now", (args, _) =>
            PythonStrftime.Format(clock.GetLocalNow(), args.Count > 0 && args[0] is string format ? format : throw new JinjaRuntimeError("strftime_now needs a format string")));
        globals["range"] = new JinjaCallable("range", (args, _) => Range(args, limits.MaxRange));
        globals["namespace"] = new JinjaCallable("namespace", (args, kwargs) =>
        {
            var ns = new JinjaNamespace();
            foreach (var initial in args)
            {
                if (initial is not OrderedDictionary<object, object?> dict)
                {
                    throw new JinjaRuntimeError("namespace() takes keyword arguments or a dict");
                }

                foreach (var (key, value) in dict)
                {
                    ns.Attributes[PythonFormatting.Str(key)] = value;
                }
            }

            foreach (var (key, value) in kwargs)
            {
                ns.Attributes[key] = value;
            }

            return ns;
        });
        globals["dict"] = new JinjaCallable("dict", (_, kwargs) => PythonOperations.ToDict(kwargs));
    }

    private static List<object?> Range(IReadOnlyList<object?> args, int maxRange)
    {
        var (start, stop, step) = args.Count switch
        {
            1 => (0L, PythonOperations.ToLong(args[0]), 1L),
            2 => (PythonOperations.ToLong(args[0]), PythonOperations.ToLong(args[1]), 1L),
            3 => (PythonOperations.ToLong(args[0]), PythonOperations.ToLong(args[1]), PythonOperations.ToLong(args[2])),
            _ => throw new JinjaRuntimeError("range expects 1 to 3 arguments"),
        };
        if (step == 0)
        {
            throw new JinjaRuntimeError("range() arg 3 must not be zero");
        }

        var count = step > 0 ? Math.Max(0, (stop - start + step - 1) / step) : Math.Max(0, (start - stop - step - 1) / -step);
        if (count > maxRange)
        {
            throw new JinjaRuntimeError($"range too big, maximum size for range is {maxRange}", JinjaErrorKind.Limit);
        }

        return Enumerable.Range(0, (int)count).Select(i => (object?)(start + (i * step))).ToList();
    }

    /// <summary>JSON as Python's <c>json.loads</c> gives it: integers stay int, numbers with a point or exponent are float.</summary>
    internal static object? FromJson(JsonNode? node, string path) => node switch
    {
        null => null,
        JsonObject obj => PythonOperations.ToDict(obj.Select(pair => new KeyValuePair<string, object?>(pair.Key, FromJson(pair.Value, $"{path}.{pair.Key}")))),
        JsonArray array => array.Select((item, i) => FromJson(item, $"{path}[{i}]")).ToList(),
        JsonValue value => FromJsonValue(value, path),
        _ => throw new ArgumentException($"{path}: unsupported JSON node", nameof(node)),
    };

    private static object? FromJsonValue(JsonValue value, string path)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return value.GetValue<string>();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number:
                var text = value.ToJsonString();
                if (text.AsSpan().IndexOfAny(".eE") >= 0)
                {
                    return value.GetValue<double>();
                }

                return long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var integer)
                    ? integer
                    : throw new ArgumentException($"{path}: integer {text} does not fit in 64 bits", nameof(value));
            default:
                throw new ArgumentException($"{path}: unsupported JSON value", nameof(value));
        }
    }
}
