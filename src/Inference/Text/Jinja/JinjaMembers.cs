using System.Globalization;
using System.Text;

namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>
/// <c>x.name</c> and <c>x[key]</c> as Jinja's immutable sandbox resolves them: Python attributes first (the
/// methods of str, dict and list), then items; anything missing is Undefined. Methods that would mutate a value
/// are refused, as <c>ImmutableSandboxedEnvironment</c> refuses them.
/// </summary>
internal static class JinjaMembers
{
    private static readonly HashSet<string> DictMethods = ["items", "keys", "values", "get", "copy"];
    private static readonly HashSet<string> UnsafeDictMethods = ["pop", "popitem", "setdefault", "update", "clear"];
    private static readonly HashSet<string> ListMethods = ["index", "count", "copy"];
    private static readonly HashSet<string> UnsafeListMethods = ["append", "extend", "insert", "pop", "remove", "sort", "reverse", "clear"];

    public static object? GetAttribute(object? target, string name)
    {
        switch (target)
        {
            case JinjaUndefined undefined:
                throw undefined.Error();
            case OrderedDictionary<object, object?> dict:
                if (DictMethods.Contains(name) || UnsafeDictMethods.Contains(name))
                {
                    return DictMethod(dict, name);
                }

                return dict.TryGetValue(name, out var value) ? value : JinjaUndefined.Attribute(target, name);
            case string s:
                return (object?)StringMethod(s, name) ?? JinjaUndefined.Attribute(target, name);
            case List<object?> or object?[]:
                return ListMethods.Contains(name) || (target is List<object?> && UnsafeListMethods.Contains(name))
                    ? ListMethod((IReadOnlyList<object?>)target, name)
                    : JinjaUndefined.Attribute(target, name);
            case JinjaNamespace ns:
                return ns.Attributes.TryGetValue(name, out var attribute) ? attribute : JinjaUndefined.Attribute(target, name);
            case JinjaLoop loop:
                return LoopAttribute(loop, name);
            default:
                return JinjaUndefined.Attribute(target, name);
        }
    }

    public static object? GetItem(object? target, object? key)
    {
        switch (target)
        {
            case JinjaUndefined undefined:
                throw undefined.Error();
            case OrderedDictionary<object, object?> dict:
                if (key is not (List<object?> or OrderedDictionary<object, object?>) && key is not null && dict.TryGetValue(key, out var value))
                {
                    return value;
                }

                return key is string name && (DictMethods.Contains(name) || UnsafeDictMethods.Contains(name))
                    ? DictMethod(dict, name)
                    : JinjaUndefined.Attribute(target, key);
            case List<object?> or object?[] or string when key is long or bool:
                return PythonOperations.TryIndex(target, PythonOperations.ToLong(key), out var item) ? item : JinjaUndefined.Attribute(target, key);
            case not null when key is string attribute:
                return GetAttribute(target, attribute);
            default:
                return JinjaUndefined.Attribute(target, key);
        }
    }

    private static JinjaCallable DictMethod(OrderedDictionary<object, object?> dict, string name) => new($"dict.{name}", (args, _) => name switch
    {
        "items" => dict.Select(pair => (object?)new object?[] { pair.Key, pair.Value }).ToList(),
        "keys" => dict.Keys.Cast<object?>().ToList(),
        "values" => dict.Values.ToList(),
        "get" => args.Count is 1 or 2
            ? (args[0] is not null && dict.TryGetValue(args[0]!, out var found) ? found : args.Count == 2 ? args[1] : null)
            : throw new JinjaRuntimeError("dict.get expects 1 or 2 arguments"),
        "copy" => new OrderedDictionary<object, object?>(dict, PythonKeyComparer.Instance),
        _ => throw new JinjaRuntimeError($"access to attribute '{name}' of 'dict' object is unsafe"),
    });

    private static JinjaCallable ListMethod(IReadOnlyList<object?> list, string name) => new($"list.{name}", (args, _) => name switch
    {
        "index" => Index(list, Argument(args, 0, name)),
        "count" => (long)list.Count(item => PythonOperations.AreEqual(item, Argument(args, 0, name))),
        "copy" => list.ToList(),
        _ => throw new JinjaRuntimeError($"access to attribute '{name}' of 'list' object is unsafe"),
    });

    private static long Index(IReadOnlyList<object?> list, object? value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (PythonOperations.AreEqual(list[i], value))
            {
                return i;
            }
        }

        throw new JinjaRuntimeError($"{PythonFormatting.Repr(value)} is not in list");
    }

    private static object? LoopAttribute(JinjaLoop loop, string name)
    {
        var length = loop.Items.Count;
        return name switch
        {
            "index" => (long)loop.Index0 + 1,
            "index0" => (long)loop.Index0,
            "revindex" => (long)(length - loop.Index0),
            "revindex0" => (long)(length - loop.Index0 - 1),
            "first" => loop.Index0 == 0,
            "last" => loop.Index0 == length - 1,
            "length" => (long)length,
            "depth" => 1L,
            "depth0" => 0L,
            "previtem" => loop.Index0 > 0 ? loop.Items[loop.Index0 - 1] : new JinjaUndefined("there is no previous item"),
            "nextitem" => loop.Index0 < length - 1 ? loop.Items[loop.Index0 + 1] : new JinjaUndefined("there is no next item"),
            "cycle" => new JinjaCallable("loop.cycle", (args, _) =>
                args.Count == 0 ? throw new JinjaRuntimeError("no items for cycling given") : args[loop.Index0 % args.Count]),
            "changed" => new JinjaCallable("loop.changed", (args, _) =>
            {
                var current = args.ToArray();
                var changed = loop.ChangedLast == JinjaLoop.Sentinel || !PythonOperations.AreEqual(loop.ChangedLast, current);
                loop.ChangedLast = current;
                return changed;
            }),
            _ => JinjaUndefined.Attribute(loop, name),
        };
    }

    private static object? Argument(IReadOnlyList<object?> args, int index, string method) =>
        index < args.Count ? args[index] : throw new JinjaRuntimeError($"{method}() is missing argument {index + 1}");

    private static string? OptionalString(IReadOnlyList<object?> args, int index, string method) => index < args.Count
        ? args[index] switch
        {
            null => null,
            string s => s,
            var other => throw new JinjaRuntimeError($"{method}() argument {index + 1} must be str or None, not {PythonOperations.TypeName(other)}"),
        }
        : null;

    private static string RequiredString(IReadOnlyList<object?> args, int index, string method) =>
        Argument(args, index, method) as string ?? throw new JinjaRuntimeError($"{method}() argument {index + 1} must be str");

    private static JinjaCallable? StringMethod(string s, string name)
    {
        Func<IReadOnlyList<object?>, object?>? method = name switch
        {
            "strip" => args => PythonStrings.Strip(s, OptionalString(args, 0, name), left: true, right: true),
            "lstrip" => args => PythonStrings.Strip(s, OptionalString(args, 0, name), left: true, right: false),
            "rstrip" => args => PythonStrings.Strip(s, OptionalString(args, 0, name), left: false, right: true),
            "split" => args => PythonStrings.Split(s, OptionalString(args, 0, name), args.Count > 1 ? PythonOperations.ToLong(args[1]) : -1).Cast<object?>().ToList(),
            "rsplit" => args => PythonStrings.RightSplit(s, OptionalString(args, 0, name), args.Count > 1 ? PythonOperations.ToLong(args[1]) : -1).Cast<object?>().ToList(),
            "splitlines" => _ => s.Split(["\r\n", "\n", "\r"], StringSplitOptions.None).SkipLast(s.Length > 0 && s[^1] is '\n' or '\r' ? 1 : 0).Cast<object?>().ToList(),
            "startswith" => args => Affix(s, Argument(args, 0, name), (text, affix) => text.StartsWith(affix, StringComparison.Ordinal)),
            "endswith" => args => Affix(s, Argument(args, 0, name), (text, affix) => text.EndsWith(affix, StringComparison.Ordinal)),
            "replace" => args => Replace(s, RequiredString(args, 0, name), RequiredString(args, 1, name), args.Count > 2 ? PythonOperations.ToLong(args[2]) : -1),
            "upper" => _ => s.ToUpperInvariant(),
            "lower" => _ => s.ToLowerInvariant(),
            "title" => _ => PythonStrings.Title(s),
            "capitalize" => _ => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant(),
            "find" => args => (long)CodePointIndex(s, s.IndexOf(RequiredString(args, 0, name), StringComparison.Ordinal)),
            "rfind" => args => (long)CodePointIndex(s, s.LastIndexOf(RequiredString(args, 0, name), StringComparison.Ordinal)),
            "count" => args => (long)PythonStrings.Count(s, RequiredString(args, 0, name)),
            "join" => args => string.Concat(PythonOperations.Iterate(Argument(args, 0, name)).Select((part, i) =>
                (i == 0 ? "" : s) + (part as string ?? throw new JinjaRuntimeError($"sequence item {i}: expected str instance, {PythonOperations.TypeName(part)} found")))),
            "isdigit" => _ => s.Length > 0 && s.EnumerateRunes().All(r => Rune.GetUnicodeCategory(r) == UnicodeCategory.DecimalDigitNumber),
            "isalpha" => _ => s.Length > 0 && s.EnumerateRunes().All(Rune.IsLetter),
            "isalnum" => _ => s.Length > 0 && s.EnumerateRunes().All(Rune.IsLetterOrDigit),
            "isspace" => _ => s.Length > 0 && s.All(JinjaLexer.IsPythonWhitespace),
            "isupper" => _ => s.Any(char.IsLetter) && !s.Any(char.IsLower),
            "islower" => _ => s.Any(char.IsLetter) && !s.Any(char.IsUpper),
            "removeprefix" => args => RequiredString(args, 0, name) is var p && s.StartsWith(p, StringComparison.Ordinal) ? s[p.Length..] : s,
            "removesuffix" => args => RequiredString(args, 0, name) is var p && p.Length > 0 && s.EndsWith(p, StringComparison.Ordinal) ? s[..^p.Length] : s,
            _ => null,
        };
        return method is null ? null : new JinjaCallable($"str.{name}", (args, _) => method(args));
    }

    private static bool Affix(string s, object? affixes, Func<string, string, bool> test) => affixes switch
    {
        string affix => test(s, affix),
        object?[] tuple => tuple.Any(item => item is string affix ? test(s, affix) : throw new JinjaRuntimeError("a tuple of affixes must hold only strings")),
        _ => throw new JinjaRuntimeError($"startswith/endswith first arg must be str or a tuple of str, not {PythonOperations.TypeName(affixes)}"),
    };

    private static string Replace(string s, string old, string replacement, long count)
    {
        if (count < 0)
        {
            return old.Length == 0 ? string.Join(replacement, ["", .. PythonOperations.CodePoints(s), ""]) : s.Replace(old, replacement, StringComparison.Ordinal);
        }

        var builder = new StringBuilder();
        var position = 0;
        for (var done = 0L; done < count; done++)
        {
            var at = s.IndexOf(old, position, StringComparison.Ordinal);
            if (at < 0 || old.Length == 0)
            {
                break;
            }

            builder.Append(s, position, at - position).Append(replacement);
            position = at + old.Length;
        }

        return builder.Append(s, position, s.Length - position).ToString();
    }

    private static int CodePointIndex(string s, int utf16Index) => utf16Index < 0 ? -1 : PythonOperations.CodePointCount(s[..utf16Index]);
}
