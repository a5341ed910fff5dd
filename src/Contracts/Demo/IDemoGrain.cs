using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Contracts.Demo;

/// <summary>
/// The demo a newcomer sees first (one per cluster, key <see cref="SingletonKey"/>): a sweep over the small verl run
/// folder the silo ships (demo/verl-run, trained for real on two-digit arithmetic word problems) on its own dataset.
/// </summary>
public interface IDemoGrain : IGrainWithStringKey
{
    const string SingletonKey = "demo";

    /// <summary>The sweep id the first start uses.</summary>
    const string FirstSweepId = "demo";

    /// <summary>Starts a demo sweep under <paramref name="sweepId"/> now (an id already started returns its status).</summary>
    Task<SweepStatus> StartAsync(string sweepId);

    /// <summary>
    /// Starts the demo sweep <see cref="FirstSweepId"/> if this grid has never seen a run or sweep; returns its id, or
    /// null when nothing was started. Called by each silo as it starts: once the demo is in the catalog, never again.
    /// </summary>
    Task<string?> StartOnFirstRunAsync();
}
