using System.Globalization;
using System.Text;
using VerlOrleans.Evaluation.Text;

namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// Search-R1's <c>normalize_answer</c> (SQuAD style) with Python 3 <c>str</c> semantics: <c>str.lower()</c> (full
/// case mapping: <c>İ</c> becomes <c>i̇</c>, a capital sigma at the end of a word becomes <c>ς</c>), ASCII
/// <c>string.punctuation</c> removed, the words <c>a</c>/<c>an</c>/<c>the</c> replaced by a space where
/// <c>re</c>'s Unicode <c>\b</c> surrounds them, then runs of Python whitespace collapsed to single spaces.
/// </summary>
internal static class QaAnswerNormalizer
{
    private const string AsciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    public static string Normalize(string text) => CollapseWhitespace(RemoveArticles(RemovePunctuation(PythonLower(text))));

    /// <summary><c>str.lower()</c>: full lowercase mapping per code point, with Python's Final_Sigma rule.</summary>
    public static string PythonLower(string text)
    {
        var codePoints = CodePoints(text);
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < codePoints.Count; i++)
        {
            var codePoint = codePoints[i];
            if (codePoint == 0x130)
            {
                builder.Append("i\u0307");
            }
            else if (codePoint == 0x3A3)
            {
                builder.Append(IsFinalSigma(codePoints, i) ? 'ς' : 'σ');
            }
            else if (Rune.IsValid(codePoint))
            {
                builder.Append(Rune.ToLowerInvariant(new Rune(codePoint)).ToString());
            }
            else
            {
                builder.Append((char)codePoint); // a lone surrogate stays as it is
            }
        }

        return builder.ToString();
    }

    private static string RemovePunctuation(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            if (!AsciiPunctuation.Contains(ch, StringComparison.Ordinal))
            {
                builder.Append(ch);
            }
        }

        return builder.ToString();
    }

    /// <summary><c>re.sub(r"\b(a|an|the)\b", " ", text)</c>: alternatives tried in order, matches never overlap.</summary>
    private static string RemoveArticles(string text)
    {
        var builder = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var length = ArticleAt(text, i);
            if (length > 0)
            {
                builder.Append(' ');
                i += length;
            }
            else
            {
                builder.Append(text[i]);
                i++;
            }
        }

        return builder.ToString();
    }

    private static int ArticleAt(string text, int index)
    {
        if ((text[index] != 'a' && text[index] != 't') || (index > 0 && IsWordBefore(text, index)))
        {
            return 0;
        }

        foreach (var article in (ReadOnlySpan<string>)["a", "an", "the"])
        {
            var end = index + article.Length;
            if (end <= text.Length && string.CompareOrdinal(text, index, article, 0, article.Length) == 0
                && (end == text.Length || !IsWord(CodePointAt(text, end))))
            {
                return article.Length;
            }
        }

        return 0;
    }

    private static bool IsWordBefore(string text, int index)
    {
        var last = text[index - 1];
        var codePoint = char.IsLowSurrogate(last) && index >= 2 && char.IsHighSurrogate(text[index - 2])
            ? char.ConvertToUtf32(text[index - 2], last)
            : last;
        return IsWord(codePoint);
    }

    /// <summary>Python's <c>\w</c> for str patterns: <c>str.isalnum()</c> (letters and every numeric category) or <c>_</c>.</summary>
    private static bool IsWord(int codePoint)
    {
        if (codePoint == '_')
        {
            return true;
        }

        if (codePoint is >= 0xD800 and <= 0xDFFF)
        {
            return false;
        }

        return CharUnicodeInfo.GetUnicodeCategory(codePoint) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
                or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
            _ => false,
        };
    }

    /// <summary><c>" ".join(text.split())</c> with Python's whitespace set.</summary>
    private static string CollapseWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && PythonText.IsSpace(text[i]))
            {
                i++;
            }

            var start = i;
            while (i < text.Length && !PythonText.IsSpace(text[i]))
            {
                i++;
            }

            if (i > start)
            {
                if (builder.Length > 0)
                {
                    builder.Append(' ');
                }

                builder.Append(text, start, i - start);
            }
        }

        return builder.ToString();
    }

    // CPython's handle_capital_sigma: cased letter, then case-ignorables, then the sigma, and no cased letter after
    // the case-ignorables that follow it.
    private static bool IsFinalSigma(List<int> codePoints, int index)
    {
        var j = index - 1;
        while (j >= 0 && IsCaseIgnorable(codePoints[j]))
        {
            j--;
        }

        if (j < 0 || !IsCased(codePoints[j]))
        {
            return false;
        }

        j = index + 1;
        while (j < codePoints.Count && IsCaseIgnorable(codePoints[j]))
        {
            j++;
        }

        return j == codePoints.Count || !IsCased(codePoints[j]);
    }

    private static bool IsCased(int codePoint)
    {
        if (!Rune.IsValid(codePoint))
        {
            return false;
        }

        var rune = new Rune(codePoint);
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            || Rune.ToLowerInvariant(rune) != rune || Rune.ToUpperInvariant(rune) != rune;
    }

    // Unicode's Case_Ignorable: Mn, Me, Cf, Lm, Sk, and Word_Break MidLetter / MidNumLet / Single_Quote.
    private static bool IsCaseIgnorable(int codePoint) =>
        codePoint is '\'' or '.' or ':' or 0xB7 or 0x387 or 0x55F or 0x5F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027
            or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A
        || (Rune.IsValid(codePoint) && Rune.GetUnicodeCategory(new Rune(codePoint)) is UnicodeCategory.NonSpacingMark
            or UnicodeCategory.EnclosingMark or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol);

    /// <summary>The code point starting at <paramref name="index"/> (a lone surrogate is its own code point, as in Python).</summary>
    private static int CodePointAt(string text, int index) =>
        PythonText.FirstCodePointWidth(text, index) == 2 ? char.ConvertToUtf32(text[index], text[index + 1]) : text[index];

    private static List<int> CodePoints(string text)
    {
        var codePoints = new List<int>(text.Length);
        for (var i = 0; i < text.Length; i += PythonText.FirstCodePointWidth(text, i))
        {
            codePoints.Add(CodePointAt(text, i));
        }

        return codePoints;
    }
}
