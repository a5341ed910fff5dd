using System.CommandLine;
using VerlOrleans.Cli.Grid;
using VerlOrleans.Cli.Output;
using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans watch ID</c>: follows a run or sweep until it finishes, with live progress on stderr (samples, tok/s, ETA
/// and running mean score per data source; a sweep shows one line per checkpoint), then prints the metrics table (a
/// sweep: the comparison table, metric vs global step) or, with <c>--json</c>, the final status on stdout.
/// Updates are pushed: through the gateway from a grain observer (re-subscribed periodically, with an occasional poll as
/// a safety net), through the HTTP API as Server-Sent Events the silo sends from its own observer.
/// Exit codes: 0 completed, 1 failed or cancelled (a sweep: any of its runs), 2 unknown id or no silo there.
/// </summary>
public static class WatchCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("ID") { Description = "Run or sweep id (as submit printed it)" };
        var json = new Option<bool>("--json") { Description = "Print the final status as JSON instead of a table" };
        var command = new Command("watch", "Follow a run or sweep until it finishes, then print its metrics (a sweep: the comparison table).") { id, json };
        return command.WithGridAction(async call =>
        {
            var grid = await call.ConnectAsync();
            var target = await GridTarget.FindAsync(grid, call.ParseResult.GetValue(id)!, call.CancellationToken);
            var asJson = call.ParseResult.GetValue(json);
            return target.Run is not null
                ? await WatchRunAsync(call, grid, target.Id, asJson)
                : await WatchSweepAsync(call, grid, target.Id, asJson);
        });
    }

    internal static async Task<int> WatchRunAsync(GridInvocation call, IGridService grid, string runId, bool asJson)
    {
        var final = await WatchDisplay.RunAsync(call.Error, async display =>
        {
            await foreach (var status in grid.WatchRunAsync(runId, call.CancellationToken))
            {
                var finished = status.State.IsFinished();
                display.Show(runId, $"run {runId}: {GridStatusText.Describe(status)}", status.Progress.Fraction, finished);
                if (finished)
                {
                    return status;
                }
            }

            throw new OperationCanceledException(call.CancellationToken);
        });

        if (asJson)
        {
            call.Output.WriteLine(CliJson.Serialize(final));
        }
        else if (final.Metrics.Count > 0)
        {
            MetricsTable.Write(StdoutConsole(call), final.Metrics);
        }

        if (final.State != RunState.Completed)
        {
            call.Error.WriteLine($"run {runId} {GridStatusText.State(final.State)}" + (final.Error is null ? "" : $": {final.Error}"));
            return 1;
        }

        return 0;
    }

    internal static async Task<int> WatchSweepAsync(GridInvocation call, IGridService grid, string sweepId, bool asJson)
    {
        var final = await WatchDisplay.RunAsync(call.Error, async display =>
        {
            await foreach (var status in grid.WatchSweepAsync(sweepId, call.CancellationToken))
            {
                foreach (var row in status.Rows)
                {
                    display.Show(row.RunId, $"sweep {sweepId}: {GridStatusText.Describe(row)}", row.Fraction, row.State.IsFinished());
                }

                if (status.IsFinished)
                {
                    return status;
                }
            }

            throw new OperationCanceledException(call.CancellationToken);
        });

        if (asJson)
        {
            call.Output.WriteLine(CliJson.Serialize(final));
        }
        else if (final.Rows.Count > 0)
        {
            ComparisonTable.Write(StdoutConsole(call), final);
        }

        if (final.Error is { } error)
        {
            call.Error.WriteLine($"sweep {sweepId} failed: {error}");
            return 1;
        }

        // Each run's state and error are on its progress line above.
        var unfinished = final.Rows.Count(r => r.State != RunState.Completed);
        if (unfinished > 0)
        {
            call.Error.WriteLine($"sweep {sweepId}: {unfinished} of {final.Rows.Count} runs did not complete");
            return 1;
        }

        return 0;
    }

    private static Spectre.Console.IAnsiConsole StdoutConsole(GridInvocation call) =>
        EvaluationProgressBar.ConsoleFor(call.Output, ReferenceEquals(call.Output, Console.Out) && !Console.IsOutputRedirected);
}
