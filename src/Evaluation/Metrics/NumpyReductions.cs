namespace VerlOrleans.Evaluation.Metrics;

/// <summary>
/// <c>np.sum</c>, <c>np.mean</c> and <c>np.std</c> (ddof 0) over float64 with NumPy's exact summation order, so results
/// match NumPy bit for bit: the reduction walks the array in 8192-element buffer chunks, and sums each chunk with
/// NumPy's pairwise summation (8 accumulators up to 128 elements, halving above that).
/// </summary>
public static class NumpyReductions
{
    private const int BufferSize = 8192;
    private const int PairwiseBlockSize = 128;

    public static double Sum(ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        for (var start = 0; start < values.Length; start += BufferSize)
        {
            sum += PairwiseSum(values.Slice(start, Math.Min(BufferSize, values.Length - start)));
        }

        return sum;
    }

    public static double Mean(ReadOnlySpan<double> values) => Sum(values) / values.Length;

    /// <summary>Population standard deviation: <c>sqrt(sum((x - mean)²) / n)</c>, as NumPy's <c>_var</c> computes it.</summary>
    public static double StandardDeviation(ReadOnlySpan<double> values)
    {
        var mean = Mean(values);
        var squares = values.Length <= 1024 ? stackalloc double[values.Length] : new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var deviation = values[i] - mean;
            squares[i] = deviation * deviation;
        }

        return Math.Sqrt(Sum(squares) / values.Length);
    }

    private static double PairwiseSum(ReadOnlySpan<double> a)
    {
        var n = a.Length;
        if (n < 8)
        {
            var result = 0.0;
            foreach (var value in a)
            {
                result += value;
            }

            return result;
        }

        if (n <= PairwiseBlockSize)
        {
            double r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7];
            var i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                r0 += a[i];
                r1 += a[i + 1];
                r2 += a[i + 2];
                r3 += a[i + 3];
                r4 += a[i + 4];
                r5 += a[i + 5];
                r6 += a[i + 6];
                r7 += a[i + 7];
            }

            var result = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++)
            {
                result += a[i];
            }

            return result;
        }

        var half = n / 2;
        half -= half % 8;
        return PairwiseSum(a[..half]) + PairwiseSum(a[half..]);
    }
}
