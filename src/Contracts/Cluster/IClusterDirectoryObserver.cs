namespace VerlOrleans.Contracts.Cluster;

/// <summary>Receives the cluster overview whenever a silo reports or membership changes (the dashboard's Overview).</summary>
public interface IClusterDirectoryObserver : IGrainObserver
{
    Task OnOverviewAsync(ClusterOverview overview);
}
