using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Dashboard.Analysis;

/// <summary>One point of a metric-vs-step chart.</summary>
/// <param name="Step">The checkpoint's global step (its row number when it has none).</param>
/// <param name="Value">The metric's value.</param>
/// <param name="RunId">The run it comes from.</param>
/// <param name="Checkpoint">The checkpoint's name.</param>
public sealed record ChartPoint(double Step, double Value, string RunId, string Checkpoint);

/// <summary>A data source's line: finished points, and the running value of runs still going.</summary>
public sealed record ChartSeries(string DataSource, IReadOnlyList<ChartPoint> Finished, IReadOnlyList<ChartPoint> Running);

/// <summary>
/// A metric family against global step for a sweep, one series per data source: a point per finished run, and
/// while a run is going its running mean score as a provisional point (only for the mean-reward family it estimates).
/// </summary>
public static class SweepChart
{
    /// <summary>The data sources of a sweep: those its runs scored so far, in name order.</summary>
    public static IReadOnlyList<string> DataSources(SweepStatus sweep) =>
        sweep.Rows.SelectMany(r => r.MeanScores.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>Every metric family the sweep's finished runs have.</summary>
    public static IReadOnlyList<string> Families(SweepStatus sweep) =>
        MetricNames.Families(sweep.Rows.SelectMany(r => r.Metrics.Keys), DataSources(sweep));

    public static IReadOnlyList<ChartSeries> Build(SweepStatus sweep, string family)
    {
        var sources = DataSources(sweep);
        var finished = new Dictionary<string, List<ChartPoint>>(StringComparer.Ordinal);
        var running = new Dictionary<string, List<ChartPoint>>(StringComparer.Ordinal);
        for (var i = 0; i < sweep.Rows.Count; i++)
        {
            var row = sweep.Rows[i];
            var x = row.Step ?? i;
            var name = Contracts.CheckpointNames.Display(row.Checkpoint, row.Step);
            if (row.State == RunState.Completed)
            {
                foreach (var (key, value) in row.Metrics)
                {
                    var metric = MetricNames.Parse(key, sources);
                    if (metric.Family == family && double.IsFinite(value))
                    {
                        Add(finished, metric.DataSource, new ChartPoint(x, value, row.RunId, name));
                    }
                }
            }
            else if (row.State == RunState.Running && MetricNames.IsRunningMeanFamily(family))
            {
                foreach (var (source, mean) in row.MeanScores)
                {
                    Add(running, source, new ChartPoint(x, mean, row.RunId, name));
                }
            }
        }

        return finished.Keys.Union(running.Keys).Order(StringComparer.Ordinal)
            .Select(s => new ChartSeries(
                s,
                finished.GetValueOrDefault(s)?.OrderBy(p => p.Step).ToList() ?? [],
                running.GetValueOrDefault(s)?.OrderBy(p => p.Step).ToList() ?? []))
            .ToList();
    }

    /// <summary>The value of a family for one row and data source, if the row has it.</summary>
    public static double? Value(SweepRow row, string family, string dataSource, IReadOnlyList<string> sources) =>
        row.Metrics.Where(m => MetricNames.Parse(m.Key, sources) is var name && name.Family == family && name.DataSource == dataSource)
            .Select(m => (double?)m.Value).FirstOrDefault();

    private static void Add(Dictionary<string, List<ChartPoint>> series, string source, ChartPoint point)
    {
        if (!series.TryGetValue(source, out var points))
        {
            series[source] = points = [];
        }

        points.Add(point);
    }
}
