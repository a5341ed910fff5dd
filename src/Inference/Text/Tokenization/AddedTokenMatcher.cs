using System.Text.RegularExpressions;

namespace VerlOrleans.Inference.Text.Tokenization;

/// <summary>
/// Finds added tokens in raw text the way Hugging Face does before anything else runs: leftmost match first,
/// and of the tokens starting there the longest. Text between matches is returned as plain segments.
/// </summary>
internal sealed class AddedTokenMatcher
{
    /// <summary>Marks a segment of plain text in <see cref="Split"/>'s output.</summary>
    public const int PlainText = -1;

    private readonly Regex? _alternation;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _ids;

    public AddedTokenMatcher(IReadOnlyList<AddedToken> addedTokens)
    {
        var ids = addedTokens.ToDictionary(token => token.Content, token => token.Id, StringComparer.Ordinal);
        _ids = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        if (addedTokens.Count > 0)
        {
            // .NET alternation takes the first alternative that matches at the leftmost position, so listing
            // longer tokens first makes it leftmost-longest.
            var alternatives = addedTokens
                .Select(token => token.Content)
                .OrderByDescending(content => content.Length)
                .ThenBy(content => content, StringComparer.Ordinal)
                .Select(Regex.Escape);
            _alternation = new Regex(string.Join('|', alternatives), RegexOptions.CultureInvariant | RegexOptions.Compiled);
        }
    }

    /// <summary>Appends (offset, length, token id or <see cref="PlainText"/>) for every segment of <paramref name="text"/>.</summary>
    public void Split(ReadOnlySpan<char> text, List<(int Offset, int Length, int TokenId)> segments)
    {
        var position = 0;
        if (_alternation is not null)
        {
            foreach (var match in _alternation.EnumerateMatches(text))
            {
                if (match.Index > position)
                {
                    segments.Add((position, match.Index - position, PlainText));
                }

                segments.Add((match.Index, match.Length, _ids[text.Slice(match.Index, match.Length)]));
                position = match.Index + match.Length;
            }
        }

        if (position < text.Length)
        {
            segments.Add((position, text.Length - position, PlainText));
        }
    }
}
