namespace VerlOrleans.Evaluation.Metrics;

/// <summary>The unbiased pass@k estimator of Chen et al. 2021 (Codex), in its numerically stable product form.</summary>
public static class PassAtK
{
    /// <summary>
    /// Probability that at least one of k responses drawn without replacement from n (c of them correct) is correct:
    /// <c>1 − C(n−c, k)/C(n, k) = 1 − Π_{i=n−c+1..n} (1 − k/i)</c>.
    /// </summary>
    public static double Estimate(int n, int correct, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n);
        ArgumentOutOfRangeException.ThrowIfNegative(correct);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(correct, n);
        if (n - correct < k)
        {
            return 1.0;
        }

        var product = 1.0;
        for (var i = n - correct + 1; i <= n; i++)
        {
            product *= 1.0 - (double)k / i;
        }

        return 1.0 - product;
    }
}
