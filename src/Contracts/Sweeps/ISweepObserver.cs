namespace VerlOrleans.Contracts.Sweeps;

/// <summary>Receives the comparison table as it changes (batched).</summary>
public interface ISweepObserver : IGrainObserver
{
    Task OnSweepStatusAsync(SweepStatus status);
}
