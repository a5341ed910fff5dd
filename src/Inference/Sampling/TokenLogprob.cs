namespace VerlOrleans.Inference.Sampling;

/// <summary>
/// How likely the model found a token: its log-probability under the raw next-token distribution (log-softmax of the
/// float32 logits, before temperature and filters, as vLLM reports by default), its rank in that distribution (1 = the
/// most likely), and the most likely tokens there, most likely first.
/// </summary>
public sealed record TokenLogprob(int TokenId, float Logprob, int Rank, IReadOnlyList<TopLogprob> Top);

/// <summary>One of the most likely tokens at a position.</summary>
public readonly record struct TopLogprob(int TokenId, float Logprob);
