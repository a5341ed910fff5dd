namespace VerlOrleans.Evaluation.Metrics;

/// <summary>Settings of <see cref="ValidationMetrics"/>; the defaults are verl's.</summary>
public sealed record ValidationMetricsOptions
{
    /// <summary>Bootstrap resamples per (uid, variable, k) (verl: 1000).</summary>
    public int BootstrapSamples { get; init; } = 1000;

    /// <summary>Seed the legacy NumPy generator is reset to before every bootstrap (verl: 42).</summary>
    public uint Seed { get; init; } = 42;

    /// <summary>
    /// Also report the unbiased pass@k (Codex estimator) under <c>val-aux/…/pass@k</c> for variables whose values
    /// are all −1, 0 or 1 (a sample passes when its value is positive). verl itself does not compute these.
    /// </summary>
    public bool IncludePassAtK { get; init; } = true;
}
