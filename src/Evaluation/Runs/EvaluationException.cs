namespace VerlOrleans.Evaluation.Runs;

/// <summary>An evaluation stopped on one row (its generation or scoring failed); names the file and row. Results written before it stay valid.</summary>
public sealed class EvaluationException(string message, Exception? inner = null) : Exception(message, inner);
