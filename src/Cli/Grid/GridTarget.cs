using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Cli.Grid;

/// <summary>What an id names in the grid: a run or a sweep (exactly one of the two is set).</summary>
internal sealed record GridTarget(string Id, RunStatus? Run, SweepStatus? Sweep)
{
    public string Kind => Run is not null ? "run" : "sweep";

    /// <summary>The run or sweep <paramref name="id"/> names, or <see cref="GridInputException"/> when it names neither.</summary>
    public static async Task<GridTarget> FindAsync(IGridService grid, string id, CancellationToken cancellationToken) =>
        await TryFindAsync(grid, id, cancellationToken) ?? throw new GridInputException($"no run or sweep '{id}' in the grid at {grid.Address}");

    /// <summary>The run or sweep <paramref name="id"/> names, or null.</summary>
    public static async Task<GridTarget?> TryFindAsync(IGridService grid, string id, CancellationToken cancellationToken)
    {
        if (!GridIds.IsValid(id))
        {
            throw new GridInputException($"'{id}' is not a run or sweep id (letters, digits, '-', '_' and '.' only)");
        }

        if (await grid.FindRunAsync(id, cancellationToken) is { } run)
        {
            return new GridTarget(id, run, null);
        }

        return await grid.FindSweepAsync(id, cancellationToken) is { } sweep ? new GridTarget(id, null, sweep) : null;
    }
}
