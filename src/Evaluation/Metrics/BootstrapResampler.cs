namespace VerlOrleans.Evaluation.Metrics;

/// <summary>
/// verl's <c>bootstrap_metric</c>: re-seed the legacy generator, draw a (resamples × k) index matrix with
/// <c>np.random.choice(n, (resamples, k))</c>, reduce each row, and report the mean and population std of the row
/// results. Because every call re-seeds, the matrix depends only on (n, k); it is drawn once and shared by best,
/// worst and maj, exactly as the repeated draws in verl come out identical.
/// </summary>
internal sealed class BootstrapResampler(int resamples, uint seed)
{
    private readonly Dictionary<(int N, int K), int[]> _indices = [];

    public (double Mean, double Std) Best(IReadOnlyList<double> values, int k) => Reduce(values.Count, k, row =>
    {
        var best = double.NegativeInfinity;
        foreach (var i in row)
        {
            best = Math.Max(best, values[i]);
        }

        return best;
    });

    public (double Mean, double Std) Worst(IReadOnlyList<double> values, int k) => Reduce(values.Count, k, row =>
    {
        var worst = double.PositiveInfinity;
        foreach (var i in row)
        {
            worst = Math.Min(worst, values[i]);
        }

        return worst;
    });

    /// <summary>
    /// <c>calc_maj_val</c> per resample: the prediction with the most votes wins (ties go to the one seen first in
    /// the resample), and the first value recorded for it is the row's result.
    /// </summary>
    public (double Mean, double Std) Majority(IReadOnlyList<double> values, IReadOnlyList<ScalarValue> votes, int k)
    {
        // Votes become small ids once (Python dict-key equality), so each resample only counts integers.
        var ids = new int[votes.Count];
        var distinct = new List<ScalarValue>();
        for (var i = 0; i < votes.Count; i++)
        {
            var id = distinct.FindIndex(v => PythonKeyEquals(v, votes[i]));
            if (id < 0)
            {
                id = distinct.Count;
                distinct.Add(votes[i]);
            }

            ids[i] = id;
        }

        var counts = new int[distinct.Count];
        var firstValue = new double[distinct.Count];
        var seen = new int[Math.Min(k, distinct.Count)];
        return Reduce(values.Count, k, row =>
        {
            var seenCount = 0;
            foreach (var i in row)
            {
                var id = ids[i];
                if (counts[id]++ == 0)
                {
                    firstValue[id] = values[i];
                    seen[seenCount++] = id;
                }
            }

            var winner = seen[0];
            for (var s = 1; s < seenCount; s++)
            {
                if (counts[seen[s]] > counts[winner])
                {
                    winner = seen[s];
                }
            }

            var result = firstValue[winner];
            for (var s = 0; s < seenCount; s++)
            {
                counts[seen[s]] = 0;
            }

            return result;
        });
    }

    private (double Mean, double Std) Reduce(int n, int k, Func<ReadOnlySpan<int>, double> reduce)
    {
        if (!_indices.TryGetValue((n, k), out var indices))
        {
            indices = new LegacyRandomState(seed).ChooseWithReplacement(n, resamples, k);
            _indices[(n, k)] = indices;
        }

        var results = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            results[r] = reduce(indices.AsSpan(r * k, k));
        }

        return (NumpyReductions.Mean(results), NumpyReductions.StandardDeviation(results));
    }

    /// <summary>Python dict-key equality: numbers and bools by value (True == 1 == 1.0), strings ordinally, None with None.</summary>
    private static bool PythonKeyEquals(ScalarValue a, ScalarValue b) =>
        a.IsNumeric && b.IsNumeric ? a.Number == b.Number
        : a.Kind == b.Kind && string.Equals(a.Text, b.Text, StringComparison.Ordinal);
}
