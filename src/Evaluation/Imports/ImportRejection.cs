namespace VerlOrleans.Evaluation.Imports;

/// <summary>A line (validation dump) or row (generation output) that was left out, and why. Numbers are 1-based lines, 0-based rows.</summary>
public sealed record ImportRejection(string Where, string Error);
