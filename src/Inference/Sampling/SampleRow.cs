namespace VerlOrleans.Inference.Sampling;

/// <summary>
/// One token to draw: from logits row <paramref name="LogitsRow"/>, with <paramref name="Params"/>, using
/// <paramref name="Uniform"/> in [0, 1) from the sequence's own random stream (ignored when greedy).
/// </summary>
public readonly record struct SampleRow(int LogitsRow, SamplingParams Params, double Uniform);
