using Microsoft.Extensions.Logging;
using VerlOrleans.Contracts.Cluster;

namespace VerlOrleans.Dashboard.Live;

/// <summary>The live cluster overview (silos, devices), one observer on the directory for the whole process.</summary>
public sealed class DirectoryWatches(IGrainFactory grains, ILogger<DirectoryWatches> logger) : GrainWatches<ClusterOverview, IClusterDirectoryObserver>(grains, logger)
{
    /// <summary>The one key: the directory is a singleton.</summary>
    public const string Key = "directory";

    protected override IClusterDirectoryObserver CreateObserver(Action<ClusterOverview> deliver) => new Observer(deliver);

    protected override Task SubscribeAsync(string key, IClusterDirectoryObserver reference) => Directory.SubscribeAsync(reference);

    protected override Task UnsubscribeAsync(string key, IClusterDirectoryObserver reference) => Directory.UnsubscribeAsync(reference);

    protected override Task<ClusterOverview> ReadAsync(string key) => Directory.GetOverviewAsync();

    private IClusterDirectoryGrain Directory => Grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.SingletonKey);

    private sealed class Observer(Action<ClusterOverview> deliver) : IClusterDirectoryObserver
    {
        public Task OnOverviewAsync(ClusterOverview overview)
        {
            deliver(overview);
            return Task.CompletedTask;
        }
    }
}
