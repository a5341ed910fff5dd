namespace VerlOrleans.Inference.Text.Tokenization;

/// <summary>
/// What tokenizer.json says about a byte-level BPE tokenizer, validated: vocabulary, merges (as <c>"a b"</c>),
/// added tokens, whether text is NFC-normalized, the Split regexes applied in order, and <c>ignore_merges</c>.
/// </summary>
internal sealed record TokenizerDefinition(
    Dictionary<string, int> Vocabulary,
    IReadOnlyList<string> Merges,
    IReadOnlyList<AddedToken> AddedTokens,
    bool NormalizeNfc,
    IReadOnlyList<string> SplitPatterns,
    bool IgnoreMerges);
