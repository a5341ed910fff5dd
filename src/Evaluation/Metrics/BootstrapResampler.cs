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
        var counts = new List<(ScalarValue Vote, int Count, double FirstValue)>(k);
        return Reduce(values.Count, k, row =>
        {
            counts.Clear();
            foreach (var i in row)
            {
                var slot = counts.FindIndex(c => PythonKeyEquals(c.Vote, votes[i]));
                if (slot < 0)
                {
                    counts.Add((votes[i], 1, values[i]));
                }
                else
                {
                    counts[slot] = counts[slot] with { Count = counts[slot].Count + 1 };
                }
            }

            var winner = 0;
            for (var c = 1; c < counts.Count; c++)
            {
                if (counts[c].Count > counts[winner].Count)
                {
                    winner = c;
                }
            }

            return counts[winner].FirstValue;
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
