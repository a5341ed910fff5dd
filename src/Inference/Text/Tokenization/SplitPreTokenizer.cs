using System.Buffers;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace VerlOrleans.Inference.Text.Tokenization;

/// <summary>
/// The <c>Split</c> steps of a tokenizer.json pre-tokenizer (behavior <c>Isolated</c>): each regex splits every
/// piece left by the previous one into its matches and the gaps between them. Texts with characters outside
/// the BMP go through <see cref="SupplementaryCharacterProxy"/> so the pieces match Hugging Face's code-point
/// regexes. Added tokens are split out before this runs, so it never sees them.
/// </summary>
internal sealed class SplitPreTokenizer : PreTokenizer
{
    /// <summary>A pattern that backtracks this long on one piece of text is hostile, not a tokenizer.</summary>
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    private readonly Regex[] _patterns;

    public SplitPreTokenizer(IReadOnlyList<string> patterns)
    {
        _patterns = patterns
            .Select(pattern => new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, MatchTimeout))
            .ToArray();
    }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) => PreTokenize(text.AsSpan());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text)
    {
        var pieces = new List<(int Offset, int Length)>();
        Split(text, pieces);
        return pieces;
    }

    /// <summary>Appends the pieces of <paramref name="text"/>, as (offset, length) into it, to <paramref name="pieces"/>.</summary>
    public void Split(ReadOnlySpan<char> text, List<(int Offset, int Length)> pieces)
    {
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            SplitBmp(text, pieces);
            return;
        }

        var proxy = ArrayPool<char>.Shared.Rent(text.Length + 1);
        var originalIndex = ArrayPool<int>.Shared.Rent(text.Length + 1);
        try
        {
            var proxyLength = SupplementaryCharacterProxy.Build(text, proxy, originalIndex);
            var first = pieces.Count;
            SplitBmp(proxy.AsSpan(0, proxyLength), pieces);
            for (var i = first; i < pieces.Count; i++)
            {
                var (offset, length) = pieces[i];
                var start = originalIndex[offset];
                pieces[i] = (start, originalIndex[offset + length] - start);
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(proxy);
            ArrayPool<int>.Shared.Return(originalIndex);
        }
    }

    private void SplitBmp(ReadOnlySpan<char> text, List<(int Offset, int Length)> pieces)
    {
        var first = pieces.Count;
        SplitPiece(_patterns[0], text, 0, pieces);
        if (_patterns.Length == 1)
        {
            return;
        }

        var current = pieces.GetRange(first, pieces.Count - first);
        for (var p = 1; p < _patterns.Length; p++)
        {
            var next = new List<(int Offset, int Length)>(current.Count);
            foreach (var (offset, length) in current)
            {
                SplitPiece(_patterns[p], text.Slice(offset, length), offset, next);
            }

            current = next;
        }

        pieces.RemoveRange(first, pieces.Count - first);
        pieces.AddRange(current);
    }

    private static void SplitPiece(Regex pattern, ReadOnlySpan<char> piece, int offset, List<(int Offset, int Length)> pieces)
    {
        var position = 0;
        foreach (var match in pattern.EnumerateMatches(piece))
        {
            if (match.Length == 0)
            {
                continue;
            }

            if (match.Index > position)
            {
                pieces.Add((offset + position, match.Index - position));
            }

            pieces.Add((offset + match.Index, match.Length));
            position = match.Index + match.Length;
        }

        if (position < piece.Length)
        {
            pieces.Add((offset + position, piece.Length - position));
        }
    }
}
