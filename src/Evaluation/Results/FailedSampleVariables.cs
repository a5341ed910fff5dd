using VerlOrleans.Evaluation.Metrics;

namespace VerlOrleans.Evaluation.Results;

/// <summary>
/// The metric variables of samples whose reward failed (<see cref="SampleResult.RewardError"/>): such a sample has
/// only its score 0, while its data source's other samples may carry extras (<c>acc</c>, <c>pred</c>, a custom dict's
/// keys). verl's metrics need every response of a prompt to carry the same variables, and a failed sample must count
/// as wrong rather than drop out of the means, so it gets each variable the source's scored samples have, in their
/// order, as 0 (numbers), False (bools), "" (strings) or None.
/// </summary>
internal static class FailedSampleVariables
{
    /// <summary>The metric samples of <paramref name="ordered"/> (already in metrics order), failed ones filled in.</summary>
    public static IEnumerable<MetricSample> ToMetricSamples(IReadOnlyList<SampleResult> ordered)
    {
        if (!ordered.Any(r => r.RewardError is not null))
        {
            return ordered.Select(r => r.ToMetricSample());
        }

        // Per source: every variable its scored samples carry, first-seen order, with the kind of its first value.
        var templates = new Dictionary<string, List<KeyValuePair<string, ScalarValue>>>(StringComparer.Ordinal);
        foreach (var result in ordered.Where(r => r.RewardError is null))
        {
            if (!templates.TryGetValue(result.DataSource, out var template))
            {
                template = [];
                templates[result.DataSource] = template;
            }

            foreach (var (name, value) in result.RewardExtras)
            {
                if (!template.Any(t => t.Key == name))
                {
                    template.Add(new(name, Zero(value)));
                }
            }
        }

        return ordered.Select(r => r.RewardError is null || !templates.TryGetValue(r.DataSource, out var template)
            ? r.ToMetricSample()
            : (r with { RewardExtras = template }).ToMetricSample());
    }

    private static ScalarValue Zero(ScalarValue like) => like.Kind switch
    {
        ScalarKind.Number => ScalarValue.FromNumber(0),
        ScalarKind.Boolean => ScalarValue.FromBoolean(false),
        ScalarKind.Text => ScalarValue.FromText(""),
        _ => ScalarValue.Null,
    };
}
