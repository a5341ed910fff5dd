using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Dashboard.Analysis;

/// <summary>Samples/s and tokens/s over a run's time, each point the rate over the preceding window.</summary>
public static class ThroughputSeries
{
    /// <summary>Rates need a few seconds of counters to mean anything; shorter spans average over what there is.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    /// <summary>(seconds since the first point, samples/s, tokens/s) for every point after the first.</summary>
    public static IReadOnlyList<(double Seconds, double SamplesPerSecond, double TokensPerSecond)> Rates(IReadOnlyList<ThroughputPoint> points)
    {
        var rates = new List<(double, double, double)>();
        if (points.Count < 2)
        {
            return rates;
        }

        var start = points[0].At;
        var from = 0;
        for (var i = 1; i < points.Count; i++)
        {
            while (from < i - 1 && points[i].At - points[from + 1].At >= Window)
            {
                from++;
            }

            var seconds = (points[i].At - points[from].At).TotalSeconds;
            if (seconds <= 0)
            {
                continue;
            }

            rates.Add(((points[i].At - start).TotalSeconds,
                (points[i].SamplesDone - points[from].SamplesDone) / seconds,
                (points[i].GeneratedTokens - points[from].GeneratedTokens) / seconds));
        }

        return rates;
    }
}
