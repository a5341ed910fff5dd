using Microsoft.Extensions.Logging;
using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Dashboard.Live;

/// <summary>Live run statuses, one observer per run for the whole process.</summary>
public sealed class RunWatches(IGrainFactory grains, ILogger<RunWatches> logger) : GrainWatches<RunStatus, IRunObserver>(grains, logger)
{
    protected override IRunObserver CreateObserver(Action<RunStatus> deliver) => new RunStatusCallback(deliver);

    protected override Task SubscribeAsync(string key, IRunObserver reference) => Grains.GetGrain<IEvaluationRunGrain>(key).SubscribeAsync(reference);

    protected override Task UnsubscribeAsync(string key, IRunObserver reference) => Grains.GetGrain<IEvaluationRunGrain>(key).UnsubscribeAsync(reference);

    protected override Task<RunStatus> ReadAsync(string key) => Grains.GetGrain<IEvaluationRunGrain>(key).GetStatusAsync();
}
