using Orleans.TestingHost;
using VerlOrleans.Grains.Hosting;
using Xunit;

namespace VerlOrleans.Testing;

/// <summary>
/// A real in-process Orleans cluster with the grid wired exactly as the silo host wires it (file grain
/// storage in a temp folder, memory streams, the device reporter). Shared per test collection.
/// </summary>
public sealed class GridClusterFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new("grid-cluster");

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    /// <summary>Where the cluster's silos keep grain state and files.</summary>
    public string DataDirectory => _data.Path;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(initialSilosCount: 1);
        builder.ConfigureSilo((_, silo) => silo.AddVerlOrleansGrid(options =>
        {
            options.DataDirectory = _data.Path;
            options.Paths.CheckpointRoots = [.. RepositoryPaths.TestRoots];
            options.Paths.DataRoots = [.. RepositoryPaths.TestRoots];
            options.SiloReportInterval = TimeSpan.FromSeconds(1);
            options.ModelMaxSequenceLength = 1024;
            options.ModelMaxBatchSize = 16;
            // Tests start the same small runs again and again and watch them generate.
            options.ResultsCache = false;
        }).AddGridFileStorage());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _data.Dispose();
    }
}
