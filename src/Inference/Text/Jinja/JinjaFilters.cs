using System.Globalization;
using System.Net;

namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>
/// Jinja's built-in filters that chat templates use, with transformers' <c>tojson</c> (Python
/// <c>json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)</c>).
/// </summary>
internal static class JinjaFilters
{
    public static object? Apply(string name, object? value, IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs, JinjaLimits limits)
    {
        object? Arg(int index, string keyword, object? fallback) =>
            index < args.Count ? args[index] : kwargs.TryGetValue(keyword, out var named) ? named : fallback;

        switch (name)
        {
            case "tojson":
                return ToJson(value, args, kwargs, limits);
            case "length" or "count":
                return PythonOperations.Length(value);
            case "trim":
                return PythonStrings.Strip(PythonFormatting.Str(value), Arg(0, "chars", null) as string, left: true, right: true);
            case "string":
                return value is string ? value : PythonFormatting.Str(value);
            case "lower":
                return PythonFormatting.Str(value).ToLowerInvariant();
            case "upper":
                return PythonFormatting.Str(value).ToUpperInvariant();
            case "title":
                return PythonStrings.Title(PythonFormatting.Str(value));
            case "capitalize":
                var text = PythonFormatting.Str(value);
                return text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..].ToLowerInvariant();
            case "replace":
                return PythonFormatting.Str(value).Replace(PythonFormatting.Str(Arg(0, "old", "")), PythonFormatting.Str(Arg(1, "new", "")), StringComparison.Ordinal);
            case "items":
                return value switch
                {
                    JinjaUndefined => new List<object?>(),
                    OrderedDictionary<object, object?> dict => dict.Select(pair => (object?)new object?[] { pair.Key, pair.Value }).ToList(),
                    _ => throw new JinjaRuntimeError($"can only get item pairs from a mapping, not {PythonOperations.TypeName(value)}"),
                };
            case "list":
                return PythonOperations.Iterate(value).ToList();
            case "first":
                return PythonOperations.Iterate(value).Take(1).DefaultIfEmpty(new JinjaUndefined("no first item, sequence was empty")).First();
            case "last":
                var all = PythonOperations.Iterate(value).ToList();
                return all.Count > 0 ? all[^1] : new JinjaUndefined("no last item, sequence was empty");
            case "reverse":
                return value is string s ? string.Concat(PythonOperations.CodePoints(s).Reverse()) : PythonOperations.Iterate(value).Reverse().ToList();
            case "join":
                var separator = PythonFormatting.Str(Arg(0, "d", ""));
                var attribute = Arg(1, "attribute", null);
                var parts = PythonOperations.Iterate(value).Select(item => PythonFormatting.Str(attribute is null ? item : JinjaMembers.GetItem(item, attribute)));
                return PythonOperations.Join(parts, separator, limits.MaxOutputLength);
            case "default" or "d":
                var useDefault = value is JinjaUndefined || (PythonOperations.IsTruthy(Arg(1, "boolean", false)) && !PythonOperations.IsTruthy(value));
                return useDefault ? Arg(0, "default_value", "") : value;
            case "int":
                return ToInt(value, Arg(0, "default", 0L));
            case "float":
                return value switch
                {
                    long or double or bool => PythonOperations.ToDouble(value),
                    string s2 when double.TryParse(s2.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                    _ => Arg(0, "default", 0.0),
                };
            case "abs":
                return value switch
                {
                    long l => (object)Math.Abs(l),
                    double d => Math.Abs(d),
                    bool b => b ? 1L : 0L,
                    _ => throw new JinjaRuntimeError($"bad operand type for abs(): '{PythonOperations.TypeName(value)}'"),
                };
            case "round":
                var digits = (int)PythonOperations.ToLong(Arg(0, "precision", 0L));
                return Math.Round(PythonOperations.ToDouble(value), digits, MidpointRounding.ToEven);
            case "sum":
                return PythonOperations.Iterate(value).Aggregate(Arg(1, "start", 0L), (total, item) => PythonOperations.Add(total, item, limits.MaxOutputLength));
            case "min" or "max":
                var values = PythonOperations.Iterate(value).ToList();
                if (values.Count == 0)
                {
                    return new JinjaUndefined($"no {name} item, sequence was empty");
                }

                var sign = name == "min" ? -1 : 1;
                return values.Aggregate((best, item) => Math.Sign(PythonOperations.Compare(item, best, "<")) == sign ? item : best);
            case "unique":
                var seen = new List<object?>();
                foreach (var item in PythonOperations.Iterate(value).Where(item => !seen.Any(s3 => PythonOperations.AreEqual(s3, item))))
                {
                    seen.Add(item);
                }

                return seen;
            case "sort":
                var sortAttribute = Arg(2, "attribute", null);
                var sorted = PythonOperations.Iterate(value).ToList();
                object? Key(object? item) => sortAttribute is null ? item : JinjaMembers.GetItem(item, sortAttribute);
                var ordered = sorted.Order(Comparer<object?>.Create((a, b) => PythonOperations.Compare(Key(a), Key(b), "<"))).ToList();
                if (PythonOperations.IsTruthy(Arg(0, "reverse", false)))
                {
                    ordered.Reverse();
                }

                return ordered;
            case "dictsort":
                return value is OrderedDictionary<object, object?> toSort
                    ? toSort.OrderBy(pair => pair.Key, Comparer<object?>.Create((a, b) => PythonOperations.Compare(a, b, "<"))).Select(pair => (object?)new object?[] { pair.Key, pair.Value }).ToList()
                    : throw new JinjaRuntimeError("dictsort needs a mapping");
            case "indent":
                return Indent(PythonFormatting.Str(value), Arg(0, "width", 4L), PythonOperations.IsTruthy(Arg(1, "first", false)), PythonOperations.IsTruthy(Arg(2, "blank", false)));
            case "wordcount":
                return (long)PythonStrings.Split(PythonFormatting.Str(value), null, -1).Count;
            case "safe":
                return value;
            case "e" or "escape":
                return WebUtility.HtmlEncode(PythonFormatting.Str(value)).Replace("&#39;", "&#39;", StringComparison.Ordinal);
            case "attr":
                return JinjaMembers.GetAttribute(value, PythonFormatting.Str(Arg(0, "name", "")));
            case "map":
                return Map(value, args, kwargs, limits);
            case "select" or "reject":
                return PythonOperations.Iterate(value)
                    .Where(item => Test(item, args, 0) == (name == "select"))
                    .ToList();
            case "selectattr" or "rejectattr":
                var attributeName = Arg(0, "attribute", null) ?? throw new JinjaRuntimeError($"{name} needs an attribute name");
                return PythonOperations.Iterate(value)
                    .Where(item => Test(JinjaMembers.GetItem(item, attributeName), args, 1) == (name == "selectattr"))
                    .ToList();
            default:
                throw new JinjaRuntimeError($"no filter named '{name}'");
        }
    }

    /// <summary><c>select('test', args...)</c>: with no test name, plain truthiness.</summary>
    private static bool Test(object? item, IReadOnlyList<object?> args, int testIndex) => args.Count <= testIndex
        ? PythonOperations.IsTruthy(item)
        : JinjaTests.Apply(PythonFormatting.Str(args[testIndex]), item, args.Skip(testIndex + 1).ToList());

    private static List<object?> Map(object? value, IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs, JinjaLimits limits)
    {
        if (kwargs.TryGetValue("attribute", out var attribute))
        {
            return PythonOperations.Iterate(value).Select(item =>
            {
                var found = JinjaMembers.GetItem(item, attribute);
                return found is JinjaUndefined && kwargs.TryGetValue("default", out var fallback) ? fallback : found;
            }).ToList();
        }

        if (args.Count == 0)
        {
            throw new JinjaRuntimeError("map needs a filter name or attribute=");
        }

        var filter = PythonFormatting.Str(args[0]);
        var rest = args.Skip(1).ToList();
        return PythonOperations.Iterate(value).Select(item => Apply(filter, item, rest, new Dictionary<string, object?>(), limits)).ToList();
    }

    private static object? ToJson(object? value, IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs, JinjaLimits limits)
    {
        object? Option(int index, string name) => index < args.Count ? args[index] : kwargs.GetValueOrDefault(name);

        var indent = Option(1, "indent") switch
        {
            null => null,
            long spaces => new string(' ', (int)Math.Clamp(spaces, 0, 64)),
            string s => s,
            var other => throw new JinjaRuntimeError($"tojson: indent must be an int or a string, not {PythonOperations.TypeName(other)}"),
        };
        string? itemSeparator = null, keySeparator = null;
        if (Option(2, "separators") is { } separators)
        {
            var pair = separators as IReadOnlyList<object?> ?? throw new JinjaRuntimeError("tojson: separators must be a pair of strings");
            (itemSeparator, keySeparator) = (pair.Count == 2 ? pair[0] as string : null, pair.Count == 2 ? pair[1] as string : null);
            if (itemSeparator is null || keySeparator is null)
            {
                throw new JinjaRuntimeError("tojson: separators must be a pair of strings");
            }
        }

        var options = new PythonJson.Options(
            EnsureAscii: PythonOperations.IsTruthy(Option(0, "ensure_ascii")),
            Indent: indent,
            ItemSeparator: itemSeparator,
            KeySeparator: keySeparator,
            SortKeys: PythonOperations.IsTruthy(Option(3, "sort_keys")));
        if (value is JinjaUndefined)
        {
            throw new JinjaRuntimeError("Object of type Undefined is not JSON serializable");
        }

        return PythonJson.Dumps(value, options, limits.MaxOutputLength);
    }

    private static object? ToInt(object? value, object? fallback) => value switch
    {
        long or bool => PythonOperations.ToLong(value),
        double d when !double.IsNaN(d) && !double.IsInfinity(d) => (long)Math.Truncate(d),
        string s when long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsedFloat) && !double.IsInfinity(parsedFloat) => (long)Math.Truncate(parsedFloat),
        _ => fallback,
    };

    private static string Indent(string text, object? width, bool first, bool blank)
    {
        var prefix = width is string s ? s : new string(' ', (int)Math.Clamp(PythonOperations.ToLong(width), 0, 256));
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if ((i > 0 || first) && (blank || lines[i].Trim().Length > 0))
            {
                lines[i] = prefix + lines[i];
            }
        }

        return string.Join('\n', lines);
    }
}
