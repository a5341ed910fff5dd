namespace VerlOrleans.Inference.Models;

/// <summary>Which logits a chunk of tokens asks for.</summary>
public enum LogitsWanted
{
    /// <summary>None (a prompt chunk that does not end the prompt).</summary>
    None,

    /// <summary>The last token's (the next-token distribution).</summary>
    Last,

    /// <summary>Every token's (parity checks).</summary>
    All,
}

/// <summary>
/// New tokens of one sequence for one forward pass: <paramref name="TokenIds"/> sit at positions
/// <paramref name="StartPosition"/>.. of KV cache slot <paramref name="Slot"/>, whose earlier positions already
/// hold the sequence's keys and values.
/// </summary>
public sealed record ForwardChunk(int Slot, int StartPosition, IReadOnlyList<int> TokenIds, LogitsWanted Logits = LogitsWanted.Last)
{
    /// <summary>Positions filled once this chunk is written.</summary>
    public int EndPosition => StartPosition + TokenIds.Count;
}
