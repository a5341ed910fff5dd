using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VerlOrleans.Grains.Hosting;
using VerlOrleans.Silo.Hosting;

namespace VerlOrleans.Bench.Grid;

/// <summary>
/// A silo in this process with the grid wired as the silo host wires it (membership and grain state by the cluster
/// provider, results under a temporary data directory) on free ports, and no logging. The CLI reaches it through its gateway.
/// </summary>
internal sealed class InProcessSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private InProcessSilo(IHost host, int gatewayPort, string clusterId)
    {
        _host = host;
        GatewayPort = gatewayPort;
        ClusterId = clusterId;
    }

    public int GatewayPort { get; }

    public string ClusterId { get; }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>
    /// Starts a silo on free ports. <paramref name="provider"/> and <paramref name="connectionString"/> pick membership and
    /// grain state as the silo host's <c>VerlOrleans:Cluster</c> settings do (Localhost: local files).
    /// </summary>
    public static async Task<InProcessSilo> StartAsync(
        string dataDirectory, int modelBatch, int modelSequenceLength, string provider = ClusterSettings.LocalhostProvider, string? connectionString = null)
    {
        var cluster = new ClusterSettings
        {
            Provider = provider,
            ConnectionString = connectionString,
            SiloPort = FreePort(),
            GatewayPort = FreePort(),
            ClusterId = $"bench-{Environment.ProcessId}-{Guid.NewGuid():N}",
        };
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleans(silo => silo
            .UseGridCluster(cluster)
            .AddVerlOrleansGrid(grid =>
            {
                grid.DataDirectory = dataDirectory;
                grid.Paths.CheckpointRoots = [.. Testing.RepositoryPaths.TestRoots];
                grid.Paths.DataRoots = [.. Testing.RepositoryPaths.TestRoots];
                grid.ModelMaxBatchSize = modelBatch;
                grid.ModelMaxSequenceLength = modelSequenceLength;
            }));
        var host = builder.Build();
        await host.StartAsync();
        return new InProcessSilo(host, cluster.GatewayPort, cluster.ClusterId);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
