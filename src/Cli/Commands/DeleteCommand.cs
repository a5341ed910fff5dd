using System.CommandLine;
using VerlOrleans.Cli.Grid;
using VerlOrleans.Contracts;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans delete ID</c>: deletes a finished run (its results folder on the grid and its line in the runs list)
/// or a finished sweep with all its runs. Exit codes: 0 deleted, 1 refused because it is still queued or running
/// (cancel it first) or a grid call failed, 2 unknown id or no silo at the gateway.
/// </summary>
public static class DeleteCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("ID") { Description = "Run or sweep id" };
        var command = new Command("delete", "Delete a finished run, or a finished sweep with its runs, and their results on the grid.") { id };
        return command.WithGridAction(async call =>
        {
            var target = call.ParseResult.GetValue(id)!;
            if (!GridIds.IsValid(target))
            {
                throw new GridInputException($"'{target}' is not a run or sweep id (letters, digits, '-', '_' and '.' only)");
            }

            var grid = await call.ConnectAsync();
            var cancellation = call.CancellationToken;
            try
            {
                // Each kind answers false when the id is not one of its own: a run id is tried first, as cancel does.
                if (await grid.DeleteRunAsync(target, cancellation))
                {
                    call.Output.WriteLine($"run {target} deleted");
                    return 0;
                }

                if (await grid.DeleteSweepAsync(target, cancellation))
                {
                    call.Output.WriteLine($"sweep {target} deleted with its runs");
                    return 0;
                }
            }
            catch (InvalidOperationException e)
            {
                call.Error.WriteLine($"delete: {e.Message}");
                return 1;
            }

            throw new GridInputException($"no run or sweep '{target}' in the grid at {grid.Address}");
        });
    }
}
