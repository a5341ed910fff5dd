namespace VerlOrleans.Inference.Engine;

/// <summary>
/// Turns generated token ids into text (the tokenizer's decode, special tokens skipped, as verl decodes
/// responses). The engine needs one for stop strings and for text in results; token-id stops work without.
/// </summary>
public delegate string TokenTextDecoder(IReadOnlyList<int> tokenIds);
