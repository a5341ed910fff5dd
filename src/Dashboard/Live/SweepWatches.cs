using Microsoft.Extensions.Logging;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Dashboard.Live;

/// <summary>Live sweep statuses (the comparison table), one observer per sweep for the whole process.</summary>
public sealed class SweepWatches(IGrainFactory grains, ILogger<SweepWatches> logger) : GrainWatches<SweepStatus, ISweepObserver>(grains, logger)
{
    protected override ISweepObserver CreateObserver(Action<SweepStatus> deliver) => new SweepStatusCallback(deliver);

    protected override Task SubscribeAsync(string key, ISweepObserver reference) => Grains.GetGrain<ISweepGrain>(key).SubscribeAsync(reference);

    protected override Task UnsubscribeAsync(string key, ISweepObserver reference) => Grains.GetGrain<ISweepGrain>(key).UnsubscribeAsync(reference);

    protected override Task<SweepStatus> ReadAsync(string key) => Grains.GetGrain<ISweepGrain>(key).GetStatusAsync();
}
