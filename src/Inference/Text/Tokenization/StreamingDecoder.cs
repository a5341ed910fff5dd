using System.Text;

namespace VerlOrleans.Inference.Text.Tokenization;

/// <summary>
/// Decodes a generated sequence one id at a time. Bytes of a character split across tokens are held until the
/// character completes, so no piece ever ends in half a character; when the tokenizer cleans up spaces, text
/// that the clean-up could still change is held too. The pieces from <see cref="Push"/> followed by
/// <see cref="Flush"/> concatenate to exactly <see cref="HfTokenizer.Decode"/> of the same ids. Not thread-safe:
/// one per sequence.
/// </summary>
public sealed class StreamingDecoder
{
    private readonly HfTokenizer _tokenizer;
    private readonly bool _skipSpecialTokens;
    private readonly bool _cleanUpSpaces;
    private readonly Decoder _utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private readonly StringBuilder _heldText = new();
    private char[] _chars = new char[64];

    internal StreamingDecoder(HfTokenizer tokenizer, bool skipSpecialTokens)
    {
        _tokenizer = tokenizer;
        _skipSpecialTokens = skipSpecialTokens;
        _cleanUpSpaces = tokenizer.Config.CleanUpTokenizationSpaces;
    }

    /// <summary>Adds one id; returns the text that became final (often empty, never half a character).</summary>
    public string Push(int id)
    {
        if (!_tokenizer.IsKnown(id) || (_skipSpecialTokens && _tokenizer.IsSpecial(id)))
        {
            return string.Empty;
        }

        var bytes = _tokenizer.TokenBytes(id);
        // UTF-8 never yields more UTF-16 units than bytes, plus replacements for up to 3 bytes held from before.
        if (_chars.Length < bytes.Length + 4)
        {
            _chars = new char[Math.Max(bytes.Length + 4, _chars.Length * 2)];
        }

        var written = _utf8.GetChars(bytes, _chars, flush: false);
        return Release(_chars.AsSpan(0, written), final: false);
    }

    /// <summary>Ends the sequence: returns what was held (incomplete trailing bytes become U+FFFD) and resets.</summary>
    public string Flush()
    {
        var written = _utf8.GetChars([], _chars, flush: true);
        var text = Release(_chars.AsSpan(0, written), final: true);
        _utf8.Reset();
        return text;
    }

    private string Release(ReadOnlySpan<char> decoded, bool final)
    {
        if (!_cleanUpSpaces)
        {
            return decoded.ToString();
        }

        _heldText.Append(decoded);
        var held = _heldText.ToString();
        var stable = final ? held.Length : TokenizationSpaces.StablePrefixLength(held);
        _heldText.Remove(0, stable);
        return stable == 0 ? string.Empty : TokenizationSpaces.CleanUp(held[..stable]);
    }
}
