namespace VerlOrleans.Inference.Text.Tokenization;

/// <summary>
/// The special ids an inference engine needs, resolved as transformers and verl do: BOS and EOS from the
/// tokenizer config; PAD falls back to EOS when the tokenizer has none (verl's <c>hf_tokenizer</c>); generation
/// stops on generation_config.json's <c>eos_token_id</c> (an int or a list) when the folder has one, else on
/// the tokenizer's EOS.
/// </summary>
public sealed record SpecialTokenIds(int? Bos, int? Eos, int? Pad, IReadOnlyList<int> Stop);
