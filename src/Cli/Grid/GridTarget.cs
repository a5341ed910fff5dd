using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Cli.Grid;

/// <summary>What an id names in the grid: a run or a sweep (exactly one of the two is set).</summary>
internal sealed record GridTarget(string Id, RunStatus? Run, SweepStatus? Sweep)
{
    public string Kind => Run is not null ? "run" : "sweep";

    /// <summary>The run or sweep <paramref name="id"/> names, or <see cref="GridInputException"/> when it names neither.</summary>
    public static async Task<GridTarget> FindAsync(GridConnection grid, string id) =>
        await TryFindAsync(grid, id) ?? throw new GridInputException($"no run or sweep '{id}' in the grid at {grid.Endpoint.Gateway}");

    /// <summary>The run or sweep <paramref name="id"/> names, or null. A grain never started has no spec.</summary>
    public static async Task<GridTarget?> TryFindAsync(GridConnection grid, string id)
    {
        if (!GridIds.IsValid(id))
        {
            throw new GridInputException($"'{id}' is not a run or sweep id (letters, digits, '-', '_' and '.' only)");
        }

        var run = await grid.Client.GetGrain<IEvaluationRunGrain>(id).GetStatusAsync();
        if (run.Spec is not null)
        {
            return new GridTarget(id, run, null);
        }

        var sweep = await grid.Client.GetGrain<ISweepGrain>(id).GetStatusAsync();
        return sweep.Spec is not null ? new GridTarget(id, null, sweep) : null;
    }
}
