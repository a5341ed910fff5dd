using System.Globalization;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Cli.Output;

/// <summary>One-line descriptions of runs and sweep rows, as <c>watch</c> shows them.</summary>
internal static class GridStatusText
{
    /// <summary>"running 12/40 samples · 85.2 tok/s · ETA 00:01:10 · openai/gsm8k 0.250".</summary>
    public static string Describe(RunStatus run)
    {
        var p = run.Progress;
        var parts = new List<string> { string.Create(CultureInfo.InvariantCulture, $"{State(run.State)} {p.SamplesDone}/{p.SamplesTotal} samples") };
        if (run.State == RunState.Running)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{p.TokensPerSecond:F1} tok/s"));
            if (p.Eta is { } eta)
            {
                parts.Add($"ETA {eta:hh\\:mm\\:ss}");
            }
        }

        parts.AddRange(Scores(p.MeanScores));
        if (run.Error is { } error)
        {
            parts.Add(error);
        }

        return string.Join(" · ", parts);
    }

    /// <summary>"step 2 · sweep-x-002 · running 75% · openai/gsm8k 0.250".</summary>
    public static string Describe(SweepRow row)
    {
        var parts = new List<string> { Label(row), row.RunId, string.Create(CultureInfo.InvariantCulture, $"{State(row.State)} {row.Fraction * 100:F0}%") };
        parts.AddRange(Scores(row.MeanScores));
        if (row.Error is { } error)
        {
            parts.Add(error);
        }

        return string.Join(" · ", parts);
    }

    /// <summary>How a sweep row is named in tables: its global step, or its folder when the path has none.</summary>
    public static string Label(SweepRow row) =>
        row.Step is { } step ? string.Create(CultureInfo.InvariantCulture, $"step {step}") : Path.GetFileName(row.Checkpoint);

    public static string State(RunState state) => state.ToString().ToLowerInvariant();

    private static IEnumerable<string> Scores(IReadOnlyDictionary<string, double> means) =>
        means.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:F3}"));
}
