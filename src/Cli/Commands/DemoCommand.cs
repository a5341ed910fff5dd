using System.CommandLine;
using VerlOrleans.Cli.Grid;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans demo</c>: starts a sweep over the demo verl run folder the silo ships (every saved step of a tiny
/// model trained on arithmetic word problems, on its own dataset), the same sweep a fresh grid starts by itself. The
/// sweep id is the last line on stdout; <c>--watch</c> follows it as <c>watch</c> does. Exit codes: 0 started (with
/// <c>--watch</c>: completed), 1 the sweep failed, 2 no silo there or no demo on the silo.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var watch = new Option<bool>("--watch") { Description = "Follow the sweep until it finishes, then print the comparison table" };
        var command = new Command("demo", "Start the demo sweep (the silo's own trained demo run, every step) on the grid; prints its id last.") { watch };
        return command.WithGridAction(async call =>
        {
            var grid = await call.ConnectAsync();
            SweepStatus sweep;
            try
            {
                sweep = await grid.StartDemoAsync(call.CancellationToken);
            }
            catch (FileNotFoundException e)
            {
                throw new GridInputException($"the silo has no demo to start: {e.Message}", e);
            }

            var sweepId = sweep.SweepId;
            call.Error.WriteLine($"demo sweep {sweepId}: {sweep.Rows.Count} steps of the demo run; the dashboard shows it at /sweeps/{sweepId}");
            if (sweep.Error is { } error)
            {
                call.Error.WriteLine($"demo: sweep {sweepId} failed to start: {error}");
                call.Output.WriteLine(sweepId);
                return 1;
            }

            if (call.ParseResult.GetValue(watch))
            {
                return await WatchCommand.WatchSweepAsync(call, grid, sweepId, asJson: false);
            }

            call.Output.WriteLine(sweepId);
            return 0;
        });
    }
}
