using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Contracts.Sweeps;

/// <summary>Many checkpoints × one dataset (key: sweep id): starts one run per checkpoint and keeps the comparison table.</summary>
public interface ISweepGrain : IGrainWithStringKey
{
    /// <summary>Expands run folders, starts the runs and returns at once.</summary>
    Task<SweepStatus> StartAsync(SweepSpec spec);

    Task<SweepStatus> GetStatusAsync();

    /// <summary>Cancels every unfinished run of the sweep.</summary>
    Task<SweepStatus> CancelAsync();

    /// <summary>
    /// Deletes a finished sweep and its runs (each as <see cref="IEvaluationRunGrain.DeleteAsync"/>). False when there
    /// is no such sweep. Throws <see cref="InUseException"/>, changing nothing, while any of its runs is unfinished.
    /// </summary>
    Task<bool> DeleteAsync();

    /// <summary>Called by the sweep's runs when their status changes.</summary>
    Task OnRunStatusAsync(RunStatus status);

    Task SubscribeAsync(ISweepObserver observer);

    Task UnsubscribeAsync(ISweepObserver observer);
}
