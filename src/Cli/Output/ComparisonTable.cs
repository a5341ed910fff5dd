using System.Globalization;
using Spectre.Console;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Cli.Output;

/// <summary>
/// A sweep's comparison table: one row per verl metric, one column per checkpoint in global-step order (metric vs
/// step), headed by each run's id and state. A metric a run lacks (failed, cancelled) is left empty.
/// </summary>
internal static class ComparisonTable
{
    public static void Write(IAnsiConsole console, SweepStatus sweep)
    {
        var table = new Table().AddColumn("metric");
        foreach (var row in sweep.Rows)
        {
            table.AddColumn(new TableColumn(Markup.Escape(GridStatusText.Label(row))).RightAligned());
        }

        table.AddRow(["run", .. sweep.Rows.Select(r => Markup.Escape(r.RunId))]);
        table.AddRow(["state", .. sweep.Rows.Select(r => GridStatusText.State(r.State))]);
        // Metric names in the order the runs computed them (val-core before val-aux per data source).
        foreach (var metric in sweep.Rows.SelectMany(r => r.Metrics.Keys).Distinct(StringComparer.Ordinal))
        {
            table.AddRow([Markup.Escape(metric), .. sweep.Rows.Select(r => r.Metrics.TryGetValue(metric, out var value)
                ? value.ToString("0.######", CultureInfo.InvariantCulture)
                : "")]);
        }

        console.Write(table);
    }
}
