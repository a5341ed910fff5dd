using System.Globalization;
using Spectre.Console;

namespace VerlOrleans.Cli.Output;

/// <summary>verl-named metrics as a two-column table (in computation order: val-core before val-aux per source).</summary>
internal static class MetricsTable
{
    public static void Write(IAnsiConsole console, IEnumerable<KeyValuePair<string, double>> metrics)
    {
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (name, value) in metrics)
        {
            table.AddRow(Markup.Escape(name), value.ToString("0.######", CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }
}
