namespace VerlOrleans.Inference.Text.Tokenization;

/// <summary>
/// One entry of <c>added_tokens</c> in tokenizer.json: text matched as a whole before any pre-tokenization.
/// <paramref name="Special"/> tokens are the ones <c>skip_special_tokens</c> drops when decoding.
/// </summary>
public sealed record AddedToken(int Id, string Content, bool Special);
