using System.CommandLine;
using System.Globalization;
using VerlOrleans.Cli.Grid;
using VerlOrleans.Cli.Output;
using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans cancel ID</c>: stops a run (its results so far stay on the silo) or every unfinished run of a sweep,
/// and waits until the grid reports them stopped. Exit codes: 0 stopped (or already finished), 1 still not stopped
/// after <c>--wait</c> seconds, 2 unknown id or no silo there.
/// </summary>
public static class CancelCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public static Command Create()
    {
        var id = new Argument<string>("ID") { Description = "Run or sweep id" };
        var wait = new Option<double>("--wait") { Description = "Seconds to wait for the grid to report the run stopped", DefaultValueFactory = _ => 60 };
        var command = new Command("cancel", "Cancel a run, or every unfinished run of a sweep.") { id, wait };
        return command.WithGridAction(async call =>
        {
            var seconds = call.ParseResult.GetValue(wait);
            if (!(seconds >= 0))
            {
                throw new ArgumentException($"--wait {seconds.ToString(CultureInfo.InvariantCulture)} must not be negative");
            }

            var grid = await call.ConnectAsync();
            var cancellation = call.CancellationToken;
            var target = await GridTarget.FindAsync(grid, call.ParseResult.GetValue(id)!, cancellation);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
            if (target.Run is { } before)
            {
                var status = before.State.IsFinished() ? before : await grid.CancelRunAsync(target.Id, cancellation);
                while (!status.State.IsFinished() && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(PollInterval, cancellation);
                    status = await grid.FindRunAsync(target.Id, cancellation) ?? status;
                }

                call.Output.WriteLine(before.State.IsFinished()
                    ? $"run {target.Id} had already {GridStatusText.State(before.State)}; nothing to cancel"
                    : $"run {target.Id}: {GridStatusText.Describe(status)}");
                return status.State.IsFinished() ? 0 : Unstopped(call, target.Id, seconds);
            }

            var sweepStatus = await grid.CancelSweepAsync(target.Id, cancellation);
            while (!sweepStatus.IsFinished && DateTime.UtcNow < deadline)
            {
                await Task.Delay(PollInterval, cancellation);
                sweepStatus = await grid.FindSweepAsync(target.Id, cancellation) ?? sweepStatus;
            }

            foreach (var row in sweepStatus.Rows)
            {
                call.Output.WriteLine($"sweep {target.Id}: {GridStatusText.Describe(row)}");
            }

            return sweepStatus.IsFinished ? 0 : Unstopped(call, target.Id, seconds);
        });
    }

    private static int Unstopped(GridInvocation call, string id, double seconds)
    {
        call.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cancel: {id} was asked to stop but had not after {seconds} s; watch it with `verlorleans watch {id}`"));
        return 1;
    }
}
