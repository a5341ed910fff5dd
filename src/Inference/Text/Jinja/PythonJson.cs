using System.Globalization;
using System.Text;

namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>
/// Python's <c>json.dumps</c>, which transformers installs as the <c>tojson</c> filter (with
/// <c>ensure_ascii=False</c>): no key sorting unless asked, no HTML escaping, <c>", "</c> and <c>": "</c>
/// separators without indent and <c>","</c> with it, floats as Python's repr, NaN and Infinity as Python writes them.
/// </summary>
internal static class PythonJson
{
    public sealed record Options(bool EnsureAscii = false, string? Indent = null, string? ItemSeparator = null, string? KeySeparator = null, bool SortKeys = false);

    public static string Dumps(object? value, Options options, int maxLength)
    {
        var builder = new StringBuilder();
        var itemSeparator = options.ItemSeparator ?? (options.Indent is null ? ", " : ",");
        var keySeparator = options.KeySeparator ?? ": ";
        Write(builder, value, options, itemSeparator, keySeparator, level: 0, maxLength);
        return builder.ToString();
    }

    private static void Write(StringBuilder builder, object? value, Options options, string itemSeparator, string keySeparator, int level, int maxLength)
    {
        if (level > 100)
        {
            throw new JinjaRuntimeError("tojson: the value is nested deeper than 100 levels");
        }

        if (builder.Length > maxLength)
        {
            throw new JinjaRuntimeError($"tojson: output exceeds {maxLength} characters", JinjaErrorKind.Limit);
        }

        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case bool b:
                builder.Append(b ? "true" : "false");
                break;
            case long l:
                builder.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                builder.Append(double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PythonFormatting.FormatFloat(d));
                break;
            case string s:
                WriteString(builder, s, options.EnsureAscii);
                break;
            case List<object?> or object?[]:
                var items = (IReadOnlyList<object?>)value;
                if (items.Count == 0)
                {
                    builder.Append("[]");
                    break;
                }

                builder.Append('[');
                for (var i = 0; i < items.Count; i++)
                {
                    builder.Append(i == 0 ? "" : itemSeparator);
                    NewLine(builder, options, level + 1);
                    Write(builder, items[i], options, itemSeparator, keySeparator, level + 1, maxLength);
                }

                NewLine(builder, options, level);
                builder.Append(']');
                break;
            case OrderedDictionary<object, object?> dict:
                if (dict.Count == 0)
                {
                    builder.Append("{}");
                    break;
                }

                var entries = dict.Select(pair => (Key: KeyText(pair.Key), pair.Value)).ToList();
                if (options.SortKeys)
                {
                    entries.Sort((a, b) => PythonOperations.CompareStrings(a.Key, b.Key));
                }

                builder.Append('{');
                for (var i = 0; i < entries.Count; i++)
                {
                    builder.Append(i == 0 ? "" : itemSeparator);
                    NewLine(builder, options, level + 1);
                    WriteString(builder, entries[i].Key, options.EnsureAscii);
                    builder.Append(keySeparator);
                    Write(builder, entries[i].Value, options, itemSeparator, keySeparator, level + 1, maxLength);
                }

                NewLine(builder, options, level);
                builder.Append('}');
                break;
            default:
                throw new JinjaRuntimeError($"Object of type {PythonOperations.TypeName(value)} is not JSON serializable");
        }
    }

    private static void NewLine(StringBuilder builder, Options options, int level)
    {
        if (options.Indent is not null)
        {
            builder.Append('\n');
            for (var i = 0; i < level; i++)
            {
                builder.Append(options.Indent);
            }
        }
    }

    /// <summary>json.dumps turns non-string keys into strings the JSON way.</summary>
    private static string KeyText(object? key) => key switch
    {
        string s => s,
        null => "null",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : PythonFormatting.FormatFloat(d),
        _ => throw new JinjaRuntimeError($"keys must be str, int, float, bool or None, not {PythonOperations.TypeName(key)}"),
    };

    private static void WriteString(StringBuilder builder, string s, bool ensureAscii)
    {
        builder.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case < ' ':
                    builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                case > '\u007f' when ensureAscii:
                    // UTF-16 code units are exactly what Python writes for ensure_ascii (surrogate pairs included).
                    builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        builder.Append('"');
    }
}
