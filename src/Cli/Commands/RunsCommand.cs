using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using VerlOrleans.Cli.Grid;
using VerlOrleans.Cli.Output;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans runs</c>: the grid's runs and sweeps from its catalog, newest first, as tables or (<c>--json</c>)
/// as <c>{"runs": [...], "sweeps": [...]}</c>. Exit codes: 0 listed, 2 no silo there.
/// </summary>
public static class RunsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print {\"runs\": [...], \"sweeps\": [...]} instead of tables" };
        var command = new Command("runs", "List the grid's evaluation runs and sweeps.") { json };
        return command.WithGridAction(async call =>
        {
            var grid = await call.ConnectAsync();
            var runs = await grid.ListRunsAsync(call.CancellationToken);
            var sweeps = await grid.ListSweepsAsync(call.CancellationToken);
            if (call.ParseResult.GetValue(json))
            {
                call.Output.WriteLine(CliJson.Serialize(new { runs, sweeps }));
                return 0;
            }

            var console = EvaluationProgressBar.ConsoleFor(call.Output, ReferenceEquals(call.Output, Console.Out) && !Console.IsOutputRedirected);
            var runTable = new Table().AddColumns("run", "state", "step", "checkpoint", "sweep", "created");
            foreach (var run in runs)
            {
                runTable.AddRow(Markup.Escape(run.RunId), GridStatusText.State(run.State), run.Step?.ToString(CultureInfo.InvariantCulture) ?? "",
                    Markup.Escape(run.Checkpoint), Markup.Escape(run.SweepId ?? ""), Created(run.CreatedAt));
            }

            var sweepTable = new Table().AddColumns("sweep", "checkpoints", "finished", "created");
            foreach (var sweep in sweeps)
            {
                sweepTable.AddRow(Markup.Escape(sweep.SweepId), sweep.Checkpoints.ToString(CultureInfo.InvariantCulture), sweep.Finished ? "yes" : "no", Created(sweep.CreatedAt));
            }

            // An empty table says nothing the count line below does not.
            if (runs.Count > 0)
            {
                console.Write(runTable);
            }

            if (sweeps.Count > 0)
            {
                console.Write(sweepTable);
            }
            call.Error.WriteLine($"{runs.Count} run(s), {sweeps.Count} sweep(s) at {grid.Address}");
            return 0;
        });
    }

    private static string Created(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
