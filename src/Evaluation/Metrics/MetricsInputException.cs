namespace VerlOrleans.Evaluation.Metrics;

/// <summary>Samples cannot be aggregated (e.g. a variable mixes numbers and strings within one prompt); the message names the data source, uid and variable.</summary>
public sealed class MetricsInputException(string message) : Exception(message);
