namespace VerlOrleans.Contracts.Sweeps;

/// <summary>Receives the comparison table as it changes (batched).</summary>
public interface ISweepObserver : IGrainObserver
{
    Task OnSweepStatusAsync(SweepStatus status);
}

/// <summary>An observer that hands each status to a callback (the dashboard, the API's event streams and the CLI use one).</summary>
public sealed class SweepStatusCallback(Action<SweepStatus> deliver) : ISweepObserver
{
    public Task OnSweepStatusAsync(SweepStatus status)
    {
        deliver(status);
        return Task.CompletedTask;
    }
}
