namespace VerlOrleans.Inference.Sampling;

/// <summary>
/// A log-probability to report: of <paramref name="TokenId"/> under logits row <paramref name="LogitsRow"/>, with the
/// <paramref name="Top"/> most likely tokens of that row.
/// </summary>
public readonly record struct LogprobRow(int LogitsRow, int TokenId, int Top);
