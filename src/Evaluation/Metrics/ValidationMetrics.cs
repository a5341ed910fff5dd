using System.Globalization;

namespace VerlOrleans.Evaluation.Metrics;

/// <summary>
/// verl's validation metrics: <c>process_validation_metrics</c> (group by data source, uid, variable; mean@n,
/// std@n, bootstrap best/worst/maj @k) followed by <c>_validate</c>'s naming into
/// <c>val-core/…</c> and <c>val-aux/…</c>. Values match verl's NumPy code bit for bit (same RNG stream, same
/// summation order). Samples are taken in the order given; within one uid that order is the order verl would
/// see the n responses in (sample index order).
/// </summary>
public static class ValidationMetrics
{
    /// <summary>Computes the metrics, in verl's key order, with pass@k (when enabled) after them.</summary>
    public static IReadOnlyList<KeyValuePair<string, double>> Compute(IEnumerable<MetricSample> samples, ValidationMetricsOptions? options = null)
    {
        options ??= new ValidationMetricsOptions();
        var groups = Group(samples);
        var resampler = new BootstrapResampler(options.BootstrapSamples, options.Seed);
        var named = new List<KeyValuePair<string, double>>();
        foreach (var (source, uids) in groups)
        {
            named.AddRange(Name(source, Aggregate(source, uids, resampler)));
        }

        if (options.IncludePassAtK)
        {
            foreach (var (source, uids) in groups)
            {
                named.AddRange(PassAtKMetrics(source, uids));
            }
        }

        return named;
    }

    /// <summary>The metric-name ladder verl bootstraps over: 2, 4, 8, … below n, then n itself (empty for n ≤ 1).</summary>
    public static IReadOnlyList<int> BootstrapSizes(int n)
    {
        var sizes = new List<int>();
        if (n <= 1)
        {
            return sizes;
        }

        for (var k = 2; k < n; k *= 2)
        {
            sizes.Add(k);
        }

        sizes.Add(n);
        return sizes;
    }

    // source → uid → variable → values, every level in first-seen order (Python dicts keep insertion order).
    private sealed class UidVariables
    {
        public readonly List<string> Order = [];
        public readonly Dictionary<string, List<ScalarValue>> Values = new(StringComparer.Ordinal);
        public int Samples;
    }

    private static List<(string Source, List<(string Uid, UidVariables Variables)> Uids)> Group(IEnumerable<MetricSample> samples)
    {
        var sources = new List<(string, List<(string, UidVariables)>)>();
        var sourceIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var uidIndex = new Dictionary<(string, string), UidVariables>();
        foreach (var sample in samples)
        {
            if (!sourceIndex.TryGetValue(sample.DataSource, out var s))
            {
                s = sources.Count;
                sourceIndex[sample.DataSource] = s;
                sources.Add((sample.DataSource, []));
            }

            if (!uidIndex.TryGetValue((sample.DataSource, sample.Uid), out var uid))
            {
                uid = new UidVariables();
                uidIndex[(sample.DataSource, sample.Uid)] = uid;
                sources[s].Item2.Add((sample.Uid, uid));
            }

            foreach (var (name, value) in sample.Variables)
            {
                if (!uid.Values.TryGetValue(name, out var list))
                {
                    if (uid.Samples > 0)
                    {
                        throw Inconsistent(sample, name, $"is missing from the {uid.Samples} earlier sample(s) of this uid");
                    }

                    list = [];
                    uid.Values[name] = list;
                    uid.Order.Add(name);
                }
                else if (list.Count != uid.Samples)
                {
                    throw Inconsistent(sample, name, "appears twice in one sample");
                }

                list.Add(value);
            }

            uid.Samples++;
            foreach (var name in uid.Order)
            {
                if (uid.Values[name].Count != uid.Samples)
                {
                    throw Inconsistent(sample, name, "is missing from this sample but present in earlier ones");
                }
            }
        }

        return sources;
    }

    private static MetricsInputException Inconsistent(MetricSample sample, string variable, string problem) =>
        new($"data_source '{sample.DataSource}', uid '{sample.Uid}': variable '{variable}' {problem}; every response of a prompt must carry the same variables");

    // process_validation_metrics for one data source: per uid metrics, then the mean over uids per (variable, metric).
    private static List<(string Variable, List<(string Metric, double Value)> Metrics)> Aggregate(
        string source, List<(string Uid, UidVariables Variables)> uids, BootstrapResampler resampler)
    {
        var perVariable = new List<(string Variable, List<(string Metric, List<double> UidValues)> Metrics)>();
        foreach (var (uid, variables) in uids)
        {
            variables.Values.TryGetValue("pred", out var votes);
            foreach (var name in variables.Order)
            {
                var raw = variables.Values[name];
                if (raw.Count == 0 || raw[0].Kind is ScalarKind.Text or ScalarKind.Null)
                {
                    // verl skips variables whose first value is a string; a leading None would crash NumPy there.
                    continue;
                }

                var values = new double[raw.Count];
                for (var i = 0; i < raw.Count; i++)
                {
                    values[i] = raw[i].IsNumeric
                        ? raw[i].Number
                        : throw new MetricsInputException(
                            $"data_source '{source}', uid '{uid}': variable '{name}' mixes numbers with {raw[i]} (response {i}); verl cannot average it");
                }

                var variableIndex = perVariable.FindIndex(v => v.Variable == name);
                if (variableIndex < 0)
                {
                    variableIndex = perVariable.Count;
                    perVariable.Add((name, []));
                }

                var metrics = perVariable[variableIndex].Metrics;
                foreach (var (metric, value) in UidMetrics(values, votes, resampler))
                {
                    var metricIndex = metrics.FindIndex(m => m.Metric == metric);
                    if (metricIndex < 0)
                    {
                        metrics.Add((metric, [value]));
                    }
                    else
                    {
                        metrics[metricIndex].UidValues.Add(value);
                    }
                }
            }
        }

        return perVariable
            .Select(v => (v.Variable, v.Metrics.Select(m => (m.Metric, NumpyReductions.Mean(m.UidValues.ToArray()))).ToList()))
            .ToList();
    }

    private static IEnumerable<(string Metric, double Value)> UidMetrics(double[] values, List<ScalarValue>? votes, BootstrapResampler resampler)
    {
        var n = values.Length;
        yield return (Invariant($"mean@{n}"), NumpyReductions.Mean(values));
        if (n <= 1)
        {
            yield break;
        }

        yield return (Invariant($"std@{n}"), NumpyReductions.StandardDeviation(values));
        foreach (var k in BootstrapSizes(n))
        {
            var (bestMean, bestStd) = resampler.Best(values, k);
            var (worstMean, worstStd) = resampler.Worst(values, k);
            yield return (Invariant($"best@{k}/mean"), bestMean);
            yield return (Invariant($"best@{k}/std"), bestStd);
            yield return (Invariant($"worst@{k}/mean"), worstMean);
            yield return (Invariant($"worst@{k}/std"), worstStd);
            if (votes is not null)
            {
                var (majMean, majStd) = resampler.Majority(values, votes, k);
                yield return (Invariant($"maj@{k}/mean"), majMean);
                yield return (Invariant($"maj@{k}/std"), majStd);
            }
        }
    }

    // _validate's naming: the core variable is acc when present, else reward; its mean/maj/best metrics at the
    // largest n go to val-core ("@{n_max}" is a substring test, as in verl), everything else to val-aux.
    private static IEnumerable<KeyValuePair<string, double>> Name(string source, List<(string Variable, List<(string Metric, double Value)> Metrics)> variables)
    {
        var coreVariable = variables.Any(v => v.Variable == "acc") ? "acc" : "reward";
        foreach (var (variable, metrics) in variables)
        {
            var nMax = metrics.Max(m => AtNumber(m.Metric));
            var coreMarker = Invariant($"@{nMax}");
            foreach (var (metric, value) in metrics)
            {
                var isCore = variable == coreVariable
                    && (metric.StartsWith("mean", StringComparison.Ordinal) || metric.StartsWith("maj", StringComparison.Ordinal) || metric.StartsWith("best", StringComparison.Ordinal))
                    && metric.Contains(coreMarker, StringComparison.Ordinal);
                yield return new($"{(isCore ? "val-core" : "val-aux")}/{source}/{variable}/{metric}", value);
            }
        }
    }

    private static int AtNumber(string metric)
    {
        var afterAt = metric[(metric.LastIndexOf('@') + 1)..];
        var slash = afterAt.IndexOf('/', StringComparison.Ordinal);
        return int.Parse(slash < 0 ? afterAt : afterAt[..slash], CultureInfo.InvariantCulture);
    }

    private static IEnumerable<KeyValuePair<string, double>> PassAtKMetrics(string source, List<(string Uid, UidVariables Variables)> uids)
    {
        var perMetric = new List<(string Variable, int K, List<double> UidValues)>();
        var variableOrder = uids.SelectMany(u => u.Variables.Order).Distinct(StringComparer.Ordinal).ToList();
        foreach (var variable in variableOrder)
        {
            foreach (var (_, variables) in uids)
            {
                if (!variables.Values.TryGetValue(variable, out var raw) || !raw.All(v => v.IsNumeric && v.Number is -1.0 or 0.0 or 1.0))
                {
                    continue;
                }

                var n = raw.Count;
                var correct = raw.Count(v => v.Number > 0);
                foreach (var k in BootstrapSizes(n).Prepend(1).Distinct())
                {
                    var slot = perMetric.FindIndex(m => m.Variable == variable && m.K == k);
                    if (slot < 0)
                    {
                        slot = perMetric.Count;
                        perMetric.Add((variable, k, []));
                    }

                    perMetric[slot].UidValues.Add(PassAtK.Estimate(n, correct, k));
                }
            }
        }

        return perMetric.Select(m => new KeyValuePair<string, double>(
            Invariant($"val-aux/{source}/{m.Variable}/pass@{m.K}"), NumpyReductions.Mean(m.UidValues.ToArray())));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
