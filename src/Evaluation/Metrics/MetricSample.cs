namespace VerlOrleans.Evaluation.Metrics;

/// <summary>
/// One generated response as verl's <c>process_validation_metrics</c> sees it: its data source, the uid of its
/// prompt (all n responses to one prompt share it), and its variables in order (<c>reward</c>, then reward extras
/// such as <c>score</c>, <c>acc</c>, <c>pred</c>).
/// </summary>
public sealed record MetricSample(string DataSource, string Uid, IReadOnlyList<KeyValuePair<string, ScalarValue>> Variables);
