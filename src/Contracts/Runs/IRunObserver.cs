namespace VerlOrleans.Contracts.Runs;

/// <summary>Receives a run's status a few times a second while it changes (never once per token).</summary>
public interface IRunObserver : IGrainObserver
{
    Task OnRunStatusAsync(RunStatus status);
}
