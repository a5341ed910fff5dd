using System.Text;

namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>
/// Python semantics of the values templates see: None, bool, int (long), float (double), str (indexed by code
/// point), list, tuple (object?[]), dict (insertion-ordered), plus Jinja's Undefined. Truthiness, equality
/// (<c>1 == 1.0 == True</c>, deep for containers), ordering, arithmetic, <c>in</c>, iteration and slicing.
/// </summary>
internal static partial class PythonOperations
{
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        object?[] => "tuple",
        OrderedDictionary<object, object?> => "dict",
        JinjaUndefined => "Undefined",
        JinjaNamespace => "Namespace",
        JinjaCallable => "function",
        JinjaLoop => "LoopContext",
        _ => value.GetType().Name,
    };

    public static OrderedDictionary<object, object?> NewDict() => new(PythonKeyComparer.Instance);

    public static OrderedDictionary<object, object?> ToDict(IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        var dict = NewDict();
        foreach (var (key, value) in pairs)
        {
            dict[key] = value;
        }

        return dict;
    }

    public static bool IsTruthy(object? value) => value switch
    {
        null or JinjaUndefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> list => list.Count > 0,
        object?[] tuple => tuple.Length > 0,
        OrderedDictionary<object, object?> dict => dict.Count > 0,
        _ => true,
    };

    public static bool IsNumber(object? value) => value is long or double or bool;

    public static double ToDouble(object? value) => value switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new JinjaRuntimeError($"expected a number, got {TypeName(value)}"),
    };

    public static bool AreEqual(object? left, object? right)
    {
        if (IsNumber(left) && IsNumber(right))
        {
            return left is double || right is double ? ToDouble(left) == ToDouble(right) : ToLong(left) == ToLong(right);
        }

        return (left, right) switch
        {
            (null, null) => true,
            (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
            (JinjaUndefined, JinjaUndefined) => true,
            (List<object?> a, List<object?> b) => a.Count == b.Count && a.Zip(b).All(pair => AreEqual(pair.First, pair.Second)),
            (object?[] a, object?[] b) => a.Length == b.Length && a.Zip(b).All(pair => AreEqual(pair.First, pair.Second)),
            (OrderedDictionary<object, object?> a, OrderedDictionary<object, object?> b) =>
                a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var other) && AreEqual(pair.Value, other)),
            _ => ReferenceEquals(left, right),
        };
    }

    /// <summary>Python's <c>&lt;</c> family: numbers, strings by code point, sequences lexicographically.</summary>
    public static int Compare(object? left, object? right, string op)
    {
        if (IsNumber(left) && IsNumber(right))
        {
            return left is double || right is double ? ToDouble(left).CompareTo(ToDouble(right)) : ToLong(left).CompareTo(ToLong(right));
        }

        switch (left, right)
        {
            case (string a, string b):
                return CompareStrings(a, b);
            case (List<object?> or object?[], List<object?> or object?[]) when left.GetType() == right.GetType():
                var x = (IReadOnlyList<object?>)left;
                var y = (IReadOnlyList<object?>)right;
                for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
                {
                    if (!AreEqual(x[i], y[i]))
                    {
                        return Compare(x[i], y[i], op);
                    }
                }

                return x.Count.CompareTo(y.Count);
            default:
                ThrowIfUndefined(left, right);
                throw new JinjaRuntimeError($"'{op}' not supported between instances of '{TypeName(left)}' and '{TypeName(right)}'");
        }
    }

    /// <summary>Code-point order (UTF-16 ordinal order differs for characters above U+FFFF).</summary>
    public static int CompareStrings(string a, string b)
    {
        var x = a.EnumerateRunes();
        var y = b.EnumerateRunes();
        while (true)
        {
            var hasX = x.MoveNext();
            var hasY = y.MoveNext();
            if (!hasX || !hasY)
            {
                return hasX.CompareTo(hasY);
            }

            if (x.Current != y.Current)
            {
                return x.Current.Value.CompareTo(y.Current.Value);
            }
        }
    }

    public static long ToLong(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new JinjaRuntimeError($"expected an integer, got {TypeName(value)}"),
    };

    public static void ThrowIfUndefined(params object?[] values)
    {
        foreach (var value in values)
        {
            if (value is JinjaUndefined undefined)
            {
                throw undefined.Error();
            }
        }
    }

    public static bool Contains(object? container, object? item) => container switch
    {
        string s when item is string sub => s.Contains(sub, StringComparison.Ordinal),
        string => throw new JinjaRuntimeError($"'in <string>' requires string as left operand, not {TypeName(item)}"),
        List<object?> or object?[] => ((IReadOnlyList<object?>)container).Any(element => AreEqual(element, item)),
        OrderedDictionary<object, object?> dict => item is not null && IsHashable(item) && dict.ContainsKey(item),
        JinjaUndefined => false,
        _ => throw new JinjaRuntimeError($"argument of type '{TypeName(container)}' is not iterable"),
    };

    private static bool IsHashable(object item) => item is not (List<object?> or OrderedDictionary<object, object?>);

    public static IEnumerable<object?> Iterate(object? value) => value switch
    {
        List<object?> list => list.ToArray(),
        object?[] tuple => tuple,
        OrderedDictionary<object, object?> dict => dict.Keys.ToArray(),
        string s => s.EnumerateRunes().Select(rune => (object?)rune.ToString()).ToArray(),
        JinjaUndefined => [],
        _ => throw new JinjaRuntimeError($"'{TypeName(value)}' object is not iterable"),
    };

    public static long Length(object? value) => value switch
    {
        string s => CodePointCount(s),
        List<object?> list => list.Count,
        object?[] tuple => tuple.Length,
        OrderedDictionary<object, object?> dict => dict.Count,
        JinjaUndefined => 0,
        _ => throw new JinjaRuntimeError($"object of type '{TypeName(value)}' has no len()"),
    };

    public static int CodePointCount(string s)
    {
        var surrogates = 0;
        foreach (var c in s)
        {
            surrogates += char.IsLowSurrogate(c) ? 1 : 0;
        }

        return s.Length - surrogates;
    }

    /// <summary>The code points of a string as strings, so indexing and slicing match Python's.</summary>
    public static string[] CodePoints(string s) => s.EnumerateRunes().Select(rune => rune.ToString()).ToArray();

    /// <summary><c>value[index]</c> for sequences; null when out of range (Jinja turns that into Undefined).</summary>
    public static bool TryIndex(object? value, long index, out object? item)
    {
        IReadOnlyList<object?>? items = value switch
        {
            List<object?> list => list,
            object?[] tuple => tuple,
            string s => CodePoints(s),
            _ => null,
        };
        item = null;
        if (items is null)
        {
            return false;
        }

        var position = index < 0 ? items.Count + index : index;
        if (position < 0 || position >= items.Count)
        {
            return false;
        }

        item = items[(int)position];
        return true;
    }

    /// <summary>Python slicing <c>value[start:stop:step]</c> with negative indices and steps.</summary>
    public static object? Slice(object? value, object? start, object? stop, object? step)
    {
        IReadOnlyList<object?> items = value switch
        {
            List<object?> list => list,
            object?[] tuple => tuple,
            string s => CodePoints(s),
            JinjaUndefined undefined => throw undefined.Error(),
            _ => throw new JinjaRuntimeError($"'{TypeName(value)}' object is not subscriptable"),
        };
        var stepValue = step is null ? 1 : ToLong(step);
        if (stepValue == 0)
        {
            throw new JinjaRuntimeError("slice step cannot be zero");
        }

        long count = items.Count;
        long Clamp(object? bound, long fallback)
        {
            if (bound is null)
            {
                return fallback;
            }

            var index = ToLong(bound);
            if (index < 0)
            {
                index += count;
            }

            return stepValue > 0 ? Math.Clamp(index, 0, count) : Math.Clamp(index, -1, count - 1);
        }

        var from = Clamp(start, stepValue > 0 ? 0 : count - 1);
        var to = Clamp(stop, stepValue > 0 ? count : -1);
        var selected = new List<object?>();
        for (var i = from; stepValue > 0 ? i < to : i > to; i += stepValue)
        {
            selected.Add(items[(int)i]);
        }

        return value switch
        {
            string => string.Concat(selected.Cast<string>()),
            object?[] => selected.ToArray(),
            _ => selected,
        };
    }

    /// <summary>Joins strings with a cap on the result, so a template cannot build an unbounded string.</summary>
    public static string Join(IEnumerable<string> parts, string separator, int maxLength)
    {
        var builder = new StringBuilder();
        var first = true;
        foreach (var part in parts)
        {
            if (!first)
            {
                builder.Append(separator);
            }

            first = false;
            builder.Append(part);
            CheckLength(builder.Length, maxLength);
        }

        return builder.ToString();
    }
}
