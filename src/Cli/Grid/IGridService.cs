using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Cli.Grid;

/// <summary>
/// What the grid commands ask of the grid, whichever way it is reached: the Orleans gateway
/// (<see cref="OrleansGridService"/>) or the HTTP API (<see cref="HttpGridService"/>). Both throw the same exceptions for
/// the same answers, so a command prints the same thing either way: <see cref="Contracts.Inputs.RequestRefusedException"/>
/// for refused fields, <see cref="GridInputException"/> for what the user must change (no grid there, no access),
/// <see cref="InvalidOperationException"/> for an id already started with other settings.
/// </summary>
internal interface IGridService : IAsyncDisposable
{
    /// <summary>The grid as messages name it: the gateway's HOST:PORT, or the API's URL.</summary>
    string Address { get; }

    /// <summary>The run's status, or null when the grid has no run <paramref name="runId"/>.</summary>
    Task<RunStatus?> FindRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>The sweep's status, or null when the grid has no sweep <paramref name="sweepId"/>.</summary>
    Task<SweepStatus?> FindSweepAsync(string sweepId, CancellationToken cancellationToken);

    /// <summary>Registers a checkpoint folder (a verl run folder: every step in it); returns the checkpoint keys.</summary>
    Task<IReadOnlyList<string>> RegisterCheckpointsAsync(string path, CancellationToken cancellationToken);

    /// <summary>Starts (or, with the same spec, finds) run <paramref name="runId"/>.</summary>
    Task<RunStatus> StartRunAsync(string runId, RunSpec spec, CancellationToken cancellationToken);

    /// <summary>Starts (or finds) sweep <paramref name="sweepId"/>.</summary>
    Task<SweepStatus> StartSweepAsync(string sweepId, SweepSpec spec, CancellationToken cancellationToken);

    /// <summary>Starts a demo sweep under a new id; <see cref="FileNotFoundException"/> when the silo ships no demo.</summary>
    Task<SweepStatus> StartDemoAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<RunSummary>> ListRunsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<SweepSummary>> ListSweepsAsync(CancellationToken cancellationToken);

    Task<RunStatus> CancelRunAsync(string runId, CancellationToken cancellationToken);

    Task<SweepStatus> CancelSweepAsync(string sweepId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a finished run; false when the grid has no run <paramref name="runId"/>, <see cref="InvalidOperationException"/>
    /// (the grid's reason) while it is still in use.
    /// </summary>
    Task<bool> DeleteRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Deletes a finished sweep with its runs; as <see cref="DeleteRunAsync"/>.</summary>
    Task<bool> DeleteSweepAsync(string sweepId, CancellationToken cancellationToken);

    /// <summary>
    /// Copies results file <paramref name="name"/> of a run into <paramref name="destination"/>; returns its length.
    /// <see cref="FileNotFoundException"/> when the run has no such file (yet).
    /// </summary>
    Task<long> CopyResultsFileAsync(string runId, string name, Stream destination, CancellationToken cancellationToken);

    /// <summary>The run's status now, then as it changes, for as long as the caller reads.</summary>
    IAsyncEnumerable<RunStatus> WatchRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>The sweep's status now, then as it changes, for as long as the caller reads.</summary>
    IAsyncEnumerable<SweepStatus> WatchSweepAsync(string sweepId, CancellationToken cancellationToken);
}
