using System.Text;

namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>Python's <c>str</c> methods where .NET's differ: whitespace is <c>str.isspace</c>, splitting and stripping follow CPython.</summary>
internal static class PythonStrings
{
    public static string Strip(string s, string? chars, bool left, bool right)
    {
        var strip = chars is null ? (Func<Rune, bool>)(r => r.IsBmp && JinjaLexer.IsPythonWhitespace((char)r.Value)) : r => chars.EnumerateRunes().Contains(r);
        var runes = s.EnumerateRunes().ToList();
        var start = 0;
        var end = runes.Count;
        while (left && start < end && strip(runes[start]))
        {
            start++;
        }

        while (right && end > start && strip(runes[end - 1]))
        {
            end--;
        }

        return string.Concat(runes.Skip(start).Take(end - start).Select(r => r.ToString()));
    }

    /// <summary><c>str.split(sep, maxsplit)</c>: no separator splits on whitespace runs and drops empty parts.</summary>
    public static List<string> Split(string s, string? separator, long maxSplit)
    {
        if (separator is null)
        {
            var parts = new List<string>();
            var i = 0;
            while (true)
            {
                while (i < s.Length && JinjaLexer.IsPythonWhitespace(s[i]))
                {
                    i++;
                }

                if (i >= s.Length)
                {
                    return parts;
                }

                if (maxSplit >= 0 && parts.Count == maxSplit)
                {
                    parts.Add(s[i..].TrimEnd(WhitespaceChars));
                    return parts;
                }

                var start = i;
                while (i < s.Length && !JinjaLexer.IsPythonWhitespace(s[i]))
                {
                    i++;
                }

                parts.Add(s[start..i]);
            }
        }

        if (separator.Length == 0)
        {
            throw new JinjaRuntimeError("empty separator");
        }

        var result = new List<string>();
        var position = 0;
        while (maxSplit < 0 || result.Count < maxSplit)
        {
            var at = s.IndexOf(separator, position, StringComparison.Ordinal);
            if (at < 0)
            {
                break;
            }

            result.Add(s[position..at]);
            position = at + separator.Length;
        }

        result.Add(s[position..]);
        return result;
    }

    public static List<string> RightSplit(string s, string? separator, long maxSplit)
    {
        if (maxSplit < 0)
        {
            return Split(s, separator, maxSplit);
        }

        if (separator is null)
        {
            var words = new List<string>();
            var i = s.Length;
            while (true)
            {
                while (i > 0 && JinjaLexer.IsPythonWhitespace(s[i - 1]))
                {
                    i--;
                }

                if (i == 0)
                {
                    return words;
                }

                if (words.Count == maxSplit)
                {
                    words.Insert(0, s[..i].TrimStart(WhitespaceChars));
                    return words;
                }

                var wordEnd = i;
                while (i > 0 && !JinjaLexer.IsPythonWhitespace(s[i - 1]))
                {
                    i--;
                }

                words.Insert(0, s[i..wordEnd]);
            }
        }

        var parts = new List<string>();
        var end = s.Length;
        while (parts.Count < maxSplit)
        {
            var at = end - separator.Length < 0 ? -1 : s.LastIndexOf(separator, end - 1, StringComparison.Ordinal);
            if (at < 0 || at + separator.Length > end)
            {
                break;
            }

            parts.Insert(0, s[(at + separator.Length)..end]);
            end = at;
        }

        parts.Insert(0, s[..end]);
        return parts;
    }

    /// <summary><c>str.title</c>: a letter after a non-letter is upper-cased, every other letter lower-cased.</summary>
    public static string Title(string s)
    {
        var builder = new StringBuilder(s.Length);
        var previousCased = false;
        foreach (var c in s)
        {
            builder.Append(previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = char.IsLetter(c);
        }

        return builder.ToString();
    }

    public static int Count(string s, string sub)
    {
        if (sub.Length == 0)
        {
            return PythonOperations.CodePointCount(s) + 1;
        }

        var count = 0;
        for (var at = s.IndexOf(sub, StringComparison.Ordinal); at >= 0; at = s.IndexOf(sub, at + sub.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static readonly char[] WhitespaceChars = Enumerable.Range(0, 0x3001).Select(i => (char)i).Where(JinjaLexer.IsPythonWhitespace).ToArray();
}
