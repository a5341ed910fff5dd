namespace VerlOrleans.Inference.Text.Tokenization;

/// <summary>
/// transformers' <c>clean_up_tokenization</c>, applied after decoding when the tokenizer config sets
/// <c>clean_up_tokenization_spaces</c> (Llama 3 does): it removes the space before some punctuation and
/// English contractions, one replacement pass after another.
/// </summary>
internal static class TokenizationSpaces
{
    private static readonly (string From, string To)[] Replacements =
    [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"),
        (" n't", "n't"), (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ];

    /// <summary>Every replacement starts with a space and spans at most this many characters.</summary>
    public const int LongestPattern = 4;

    public static string CleanUp(string text)
    {
        if (!text.Contains(' ', StringComparison.Ordinal))
        {
            return text;
        }

        foreach (var (from, to) in Replacements)
        {
            text = text.Replace(from, to, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>
    /// The length of the longest prefix of <paramref name="text"/> whose clean-up cannot change once more text
    /// follows: no pattern can straddle the cut when none of the <see cref="LongestPattern"/> - 1 characters
    /// before it is a space (every pattern starts with one, and replacements never add one).
    /// </summary>
    public static int StablePrefixLength(ReadOnlySpan<char> text)
    {
        var cut = text.Length;
        while (cut > 0)
        {
            var windowStart = Math.Max(0, cut - (LongestPattern - 1));
            var space = text[windowStart..cut].LastIndexOf(' ');
            if (space < 0)
            {
                return cut;
            }

            cut = windowStart + space;
        }

        return 0;
    }
}
