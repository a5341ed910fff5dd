namespace VerlOrleans.Evaluation.Imports;

/// <summary>A re-scored sample whose score differs from the one verl stored for it.</summary>
public sealed record ScoreDisagreement(string Where, string Uid, int SampleIndex, double Stored, double Rescored);
