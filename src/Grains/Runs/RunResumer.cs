using Microsoft.Extensions.Logging;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Grains.Runs;

/// <summary>
/// When a silo becomes active, continues the runs and sweeps a restart interrupted (the catalog knows them; each
/// run resumes from its results folder). Resuming is idempotent, so every silo may do it.
/// </summary>
public sealed partial class RunResumer(IGrainFactory grains, ILogger<RunResumer> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RunResumer), ServiceLifecycleStage.Active, cancellation =>
        {
            // Not awaited: the silo must not wait for storage reads of every run before it starts serving.
            _ = Task.Run(ResumeAsync);
            return Task.CompletedTask;
        });

    private async Task ResumeAsync()
    {
        try
        {
            var catalog = grains.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey);
            foreach (var run in (await catalog.ListRunsAsync()).Where(r => !r.State.IsFinished()))
            {
                await grains.GetGrain<IEvaluationRunGrain>(run.RunId).ResumeAsync();
            }

            foreach (var sweep in (await catalog.ListSweepsAsync()).Where(s => !s.Finished))
            {
                await grains.GetGrain<ISweepGrain>(sweep.SweepId).GetStatusAsync();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogResumeFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not resume interrupted runs")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception);
}
