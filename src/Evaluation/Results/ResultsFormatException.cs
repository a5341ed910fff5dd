namespace VerlOrleans.Evaluation.Results;

/// <summary>A results folder or file cannot be used: the message names the file and, where there is one, the line and field.</summary>
public sealed class ResultsFormatException(string message, Exception? inner = null) : Exception(message, inner);
