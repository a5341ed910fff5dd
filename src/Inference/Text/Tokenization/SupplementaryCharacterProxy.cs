using System.Globalization;
using System.Text;

namespace VerlOrleans.Inference.Text.Tokenization;

/// <summary>
/// .NET's <see cref="System.Text.RegularExpressions.Regex"/> matches UTF-16 code units, so <c>\p{L}</c> or
/// <c>\p{N}</c> never match a character outside the Basic Multilingual Plane (𝐀, 𠀀, 𝟙 are two surrogates to
/// it), while the Rust/Oniguruma regexes of Hugging Face tokenizers match code points. This rewrites a text
/// into a proxy with one BMP character per code point, chosen from the same Unicode general category, plus a
/// map from proxy positions back to the original ones; a category-based pattern then splits the proxy exactly
/// where it would split the original.
/// </summary>
internal static class SupplementaryCharacterProxy
{
    /// <summary>
    /// One BMP stand-in per general category. They are rare characters with no case mapping to ASCII, so the
    /// literal characters, ranges and case-insensitive groups of real tokenizer patterns do not match them.
    /// </summary>
    internal static readonly IReadOnlyDictionary<UnicodeCategory, char> StandIns = new Dictionary<UnicodeCategory, char>
    {
        [UnicodeCategory.UppercaseLetter] = '\u0181',
        [UnicodeCategory.LowercaseLetter] = '\u0253',
        [UnicodeCategory.TitlecaseLetter] = '\u01C5',
        [UnicodeCategory.ModifierLetter] = '\u02B0',
        [UnicodeCategory.OtherLetter] = '\u01BB',
        [UnicodeCategory.NonSpacingMark] = '\u0300',
        [UnicodeCategory.SpacingCombiningMark] = '\u0903',
        [UnicodeCategory.EnclosingMark] = '\u20DD',
        [UnicodeCategory.DecimalDigitNumber] = '\u0660',
        [UnicodeCategory.LetterNumber] = '\u2160',
        [UnicodeCategory.OtherNumber] = '\u00B2',
        [UnicodeCategory.SpaceSeparator] = '\u2000',
        [UnicodeCategory.LineSeparator] = '\u2028',
        [UnicodeCategory.ParagraphSeparator] = '\u2029',
        [UnicodeCategory.Control] = '\u0085',
        [UnicodeCategory.Format] = '\u2060',
        [UnicodeCategory.PrivateUse] = '\uE000',
        [UnicodeCategory.ConnectorPunctuation] = '\u203F',
        [UnicodeCategory.DashPunctuation] = '\u2010',
        [UnicodeCategory.OpenPunctuation] = '\u2045',
        [UnicodeCategory.ClosePunctuation] = '\u2046',
        [UnicodeCategory.InitialQuotePunctuation] = '\u2039',
        [UnicodeCategory.FinalQuotePunctuation] = '\u203A',
        [UnicodeCategory.OtherPunctuation] = '\u00B6',
        [UnicodeCategory.MathSymbol] = '\u2200',
        [UnicodeCategory.CurrencySymbol] = '\u20A0',
        [UnicodeCategory.ModifierSymbol] = '\u02C2',
        [UnicodeCategory.OtherSymbol] = '\u2400',
        [UnicodeCategory.OtherNotAssigned] = '\u0378',
    };

    /// <summary>
    /// Writes the proxy of <paramref name="text"/> into <paramref name="proxy"/> and, for each proxy position
    /// plus one past the end, the original position into <paramref name="originalIndex"/>. Both buffers need
    /// <c>text.Length + 1</c> slots. Returns the proxy length.
    /// </summary>
    public static int Build(ReadOnlySpan<char> text, Span<char> proxy, Span<int> originalIndex)
    {
        var length = 0;
        var i = 0;
        while (i < text.Length)
        {
            originalIndex[length] = i;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var rune = new Rune(text[i], text[i + 1]);
                proxy[length++] = StandIns[Rune.GetUnicodeCategory(rune)];
                i += 2;
            }
            else
            {
                proxy[length++] = text[i++];
            }
        }

        originalIndex[length] = text.Length;
        return length;
    }
}
