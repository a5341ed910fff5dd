namespace VerlOrleans.Contracts.Runs;

/// <summary>Receives a run's status a few times a second while it changes (never once per token).</summary>
public interface IRunObserver : IGrainObserver
{
    Task OnRunStatusAsync(RunStatus status);
}

/// <summary>An observer that hands each status to a callback (the dashboard, the API's event streams and the CLI use one).</summary>
public sealed class RunStatusCallback(Action<RunStatus> deliver) : IRunObserver
{
    public Task OnRunStatusAsync(RunStatus status)
    {
        deliver(status);
        return Task.CompletedTask;
    }
}
