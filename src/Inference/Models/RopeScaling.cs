namespace VerlOrleans.Inference.Models;

/// <summary>
/// Llama 3.1's <c>rope_scaling</c> (<c>rope_type: llama3</c>): low frequencies divided by <see cref="Factor"/>,
/// high ones kept, the band between interpolated.
/// </summary>
public sealed record Llama3RopeScaling(double Factor, double LowFrequencyFactor, double HighFrequencyFactor, long OriginalMaxPositionEmbeddings);
