using System.Globalization;

namespace VerlOrleans.Evaluation.Text;

/// <summary>
/// The parts of Python 3 <c>str</c> semantics that verl's scorers depend on, over .NET's UTF-16 strings.
/// Python counts and slices by code point, so a lone emoji is one character there and two here; every length,
/// slice and "first character" below counts code points. Whitespace and digits follow <c>str.isspace</c> and
/// <c>str.isdigit</c>, which differ from <see cref="char.IsWhiteSpace(char)"/> and <see cref="char.IsDigit(char)"/>.
/// </summary>
internal static class PythonText
{
    /// <summary><c>len(s)</c>: the number of code points (a lone surrogate counts as one, as in Python).</summary>
    public static int Length(string s)
    {
        var length = s.Length;
        for (var i = 0; i + 1 < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1]))
            {
                length--;
                i++;
            }
        }

        return length;
    }

    /// <summary><c>s[-count:]</c> for a positive count: the last <paramref name="count"/> code points.</summary>
    public static string Last(string s, int count)
    {
        var start = s.Length;
        for (var taken = 0; taken < count && start > 0; taken++)
        {
            start--;
            if (start > 0 && char.IsLowSurrogate(s[start]) && char.IsHighSurrogate(s[start - 1]))
            {
                start--;
            }
        }

        return start == 0 ? s : s[start..];
    }

    /// <summary>
    /// <c>s[start:]</c> with Python's slice rules: a negative start counts from the end, and any start past
    /// either end is clamped.
    /// </summary>
    public static string SliceFrom(string s, long start)
    {
        var length = Length(s);
        if (start < 0)
        {
            start = Math.Max(0, length + start);
        }

        return start >= length ? string.Empty : Last(s, (int)(length - start));
    }

    /// <summary>The UTF-16 length of the first code point of a non-empty string (2 for a surrogate pair, else 1).</summary>
    public static int FirstCodePointWidth(string s, int index = 0) =>
        index + 1 < s.Length && char.IsHighSurrogate(s[index]) && char.IsLowSurrogate(s[index + 1]) ? 2 : 1;

    /// <summary><c>ch.isspace()</c> for one code point (Python 3.11's table: includes U+001C–U+001F, which .NET omits).</summary>
    public static bool IsSpace(int codePoint) => codePoint switch
    {
        >= 0x09 and <= 0x0D => true,
        >= 0x1C and <= 0x20 => true,
        0x85 or 0xA0 or 0x1680 => true,
        >= 0x2000 and <= 0x200A => true,
        0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };

    /// <summary><c>s.strip()</c>: removes leading and trailing Python whitespace.</summary>
    public static string Strip(string s)
    {
        var start = 0;
        var end = s.Length;
        while (start < end && IsSpace(s[start]))
        {
            start++;
        }

        while (end > start && IsSpace(s[end - 1]))
        {
            end--;
        }

        return start == 0 && end == s.Length ? s : s[start..end];
    }

    /// <summary>
    /// <c>s.isdigit()</c>: non-empty and every code point has a digit value (Unicode Numeric_Type Digit or
    /// Decimal, so superscripts and circled digits count, fractions do not).
    /// </summary>
    public static bool IsDigit(string s)
    {
        if (s.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < s.Length; i += FirstCodePointWidth(s, i))
        {
            if (CharUnicodeInfo.GetDigitValue(s, i) == -1)
            {
                return false;
            }
        }

        return true;
    }

    // One Python character in a .NET regex: a surrogate pair, a lone surrogate, or any other UTF-16 unit. Written so
    // that a pair is never split in two, which a plain [^x] would do when backtracking.
    private const string Pair = @"[\uD800-\uDBFF][\uDC00-\uDFFF]";
    private const string LoneSurrogate = @"[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]";

    /// <summary>Regex fragment for Python's <c>.</c>: one code point other than a newline.</summary>
    public const string AnyCodePointButNewline = "(?:" + Pair + "|" + LoneSurrogate + @"|[^\n\uD800-\uDFFF])";

    /// <summary>Regex fragment for Python's <c>[^{]</c>: one code point other than an opening brace.</summary>
    public const string AnyCodePointButOpenBrace = "(?:" + Pair + "|" + LoneSurrogate + @"|[^{\uD800-\uDFFF])";

    /// <summary>Regex fragment for Python's <c>\s</c> in a str pattern.</summary>
    public const string Whitespace = @"[\s\x1C-\x1F]";
}
