namespace VerlOrleans.Contracts.Cluster;

/// <summary>
/// The cluster's directory of silos and their compute devices (singleton, key 0). Silos report
/// themselves on start and every few seconds; the dashboard and model placement read from it.
/// </summary>
public interface IClusterDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>The single directory instance's key.</summary>
    const long SingletonKey = 0;

    /// <summary>Records (or refreshes) what a silo reports about itself.</summary>
    Task ReportSiloAsync(SiloReport report);

    /// <summary>Every silo known to membership joined with its last report, with uptimes as of now.</summary>
    Task<ClusterOverview> GetOverviewAsync();

    /// <summary>Pushes the overview to <paramref name="observer"/> on every report and membership change; renew within two minutes.</summary>
    Task SubscribeAsync(IClusterDirectoryObserver observer);

    Task UnsubscribeAsync(IClusterDirectoryObserver observer);
}
