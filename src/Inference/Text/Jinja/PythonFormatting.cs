using System.Globalization;
using System.Text;

namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>Python's <c>str()</c> and <c>repr()</c> of template values, which is what <c>{{ x }}</c> prints.</summary>
internal static class PythonFormatting
{
    public static string Str(object? value) => value switch
    {
        string s => s,
        JinjaUndefined => string.Empty,
        _ => Repr(value),
    };

    public static string Repr(object? value)
    {
        var builder = new StringBuilder();
        AppendRepr(builder, value, depth: 0);
        return builder.ToString();
    }

    private static void AppendRepr(StringBuilder builder, object? value, int depth)
    {
        if (depth > 100)
        {
            throw new JinjaRuntimeError("a value nested deeper than 100 levels cannot be printed");
        }

        switch (value)
        {
            case null:
                builder.Append("None");
                break;
            case bool b:
                builder.Append(b ? "True" : "False");
                break;
            case long l:
                builder.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                builder.Append(FormatFloat(d));
                break;
            case string s:
                AppendStringRepr(builder, s);
                break;
            case JinjaUndefined:
                break;
            case List<object?> list:
                builder.Append('[');
                AppendItems(builder, list, depth);
                builder.Append(']');
                break;
            case object?[] tuple:
                builder.Append('(');
                AppendItems(builder, tuple, depth);
                builder.Append(tuple.Length == 1 ? ",)" : ")");
                break;
            case OrderedDictionary<object, object?> dict:
                builder.Append('{');
                var first = true;
                foreach (var (key, item) in dict)
                {
                    builder.Append(first ? "" : ", ");
                    first = false;
                    AppendRepr(builder, key, depth + 1);
                    builder.Append(": ");
                    AppendRepr(builder, item, depth + 1);
                }

                builder.Append('}');
                break;
            case JinjaNamespace ns:
                builder.Append("<Namespace ");
                AppendRepr(builder, PythonOperations.ToDict(ns.Attributes), depth + 1);
                builder.Append('>');
                break;
            case JinjaCallable callable:
                builder.Append("<function ").Append(callable.Name).Append('>');
                break;
            default:
                builder.Append(value);
                break;
        }
    }

    private static void AppendItems(StringBuilder builder, IEnumerable<object?> items, int depth)
    {
        var first = true;
        foreach (var item in items)
        {
            builder.Append(first ? "" : ", ");
            first = false;
            AppendRepr(builder, item, depth + 1);
        }
    }

    /// <summary>Python's string repr: single quotes unless only double quotes avoid escaping, non-printables escaped.</summary>
    private static void AppendStringRepr(StringBuilder builder, string s)
    {
        var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        builder.Append(quote);
        foreach (var rune in s.EnumerateRunes())
        {
            var c = rune.Value;
            if (c == quote || c == '\\')
            {
                builder.Append('\\').Append((char)c);
            }
            else if (c == '\n')
            {
                builder.Append("\\n");
            }
            else if (c == '\r')
            {
                builder.Append("\\r");
            }
            else if (c == '\t')
            {
                builder.Append("\\t");
            }
            else if (IsPrintable(rune))
            {
                builder.Append(rune.ToString());
            }
            else if (c < 0x100)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\x{c:x2}");
            }
            else if (c < 0x10000)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{c:x4}");
            }
            else
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\U{c:x8}");
            }
        }

        builder.Append(quote);
    }

    /// <summary>Python's <c>str.isprintable</c> for one character: not a control, format, separator (other than space) or unassigned.</summary>
    private static bool IsPrintable(Rune rune) => rune.Value == ' ' || Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.SpaceSeparator => false,
        _ => true,
    };

    /// <summary>
    /// Python's <c>repr(float)</c>: the shortest digits that round-trip, positional notation for decimal exponents
    /// from -4 to 15 (always with a fractional part), scientific with a two-digit exponent otherwise.
    /// </summary>
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        var roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = roundTrip.StartsWith('-');
        var body = negative ? roundTrip[1..] : roundTrip;
        var exponent = 0;
        var e = body.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(body[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            body = body[..e];
        }

        var point = body.IndexOf('.', StringComparison.Ordinal);
        var integerDigits = point < 0 ? body : body[..point];
        var digits = point < 0 ? body : body.Remove(point, 1);
        var pointPosition = integerDigits.Length + exponent;
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        pointPosition -= leadingZeros;
        var sign = negative ? "-" : "";
        if (digits.Length == 0)
        {
            return sign + "0.0";
        }

        var scientificExponent = pointPosition - 1;
        if (scientificExponent is >= -4 and < 16)
        {
            if (pointPosition <= 0)
            {
                return $"{sign}0.{new string('0', -pointPosition)}{digits}";
            }

            return pointPosition >= digits.Length
                ? $"{sign}{digits}{new string('0', pointPosition - digits.Length)}.0"
                : $"{sign}{digits[..pointPosition]}.{digits[pointPosition..]}";
        }

        var mantissa = digits.Length == 1 ? digits : $"{digits[0]}.{digits[1..]}";
        return $"{sign}{mantissa}e{(scientificExponent < 0 ? '-' : '+')}{Math.Abs(scientificExponent):00}";
    }
}
