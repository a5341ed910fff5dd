namespace VerlOrleans.Inference.Engine;

/// <summary>
/// Text of a growing token sequence, one token at a time, without decoding everything every step: decodes a
/// short window (the previous tokens for context, then the new ones) and emits what the new ones added. Text is
/// held back while it ends in U+FFFD (a character split across tokens), as vLLM's and Hugging Face's streamers do.
/// </summary>
internal sealed class IncrementalDetokenizer(TokenTextDecoder decode)
{
    private readonly List<int> _ids = [];
    private int _prefixOffset;
    private int _readOffset;

    /// <summary>Adds a token; returns the text it completed (possibly empty).</summary>
    public string Append(int tokenId)
    {
        _ids.Add(tokenId);
        var prefix = Decode(_prefixOffset, _readOffset);
        var full = Decode(_prefixOffset, _ids.Count);
        if (full.Length <= prefix.Length || full.EndsWith('\uFFFD'))
        {
            return "";
        }

        var delta = full[prefix.Length..];
        _prefixOffset = _readOffset;
        _readOffset = _ids.Count;
        return delta;
    }

    /// <summary>Decoding of every token appended (includes an unfinished character, as a final decode does).</summary>
    public string Complete() => decode(_ids);

    private string Decode(int from, int to) => from == to ? "" : decode(_ids.GetRange(from, to - from));
}
