using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VerlOrleans.Grains.Hosting;

namespace VerlOrleans.Bench.Grid;

/// <summary>
/// A silo in this process with the grid wired as the silo host wires it (grain storage and results under a temporary
/// data directory), localhost clustering on free ports, and no logging. The CLI reaches it through its gateway.
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

    public static async Task<InProcessSilo> StartAsync(string dataDirectory, int modelBatch, int modelSequenceLength)
    {
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        var clusterId = $"bench-{Environment.ProcessId}";
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort, gatewayPort, serviceId: "verlorleans", clusterId: clusterId)
            .AddVerlOrleansGrid(grid =>
            {
                grid.DataDirectory = dataDirectory;
                grid.ModelMaxBatchSize = modelBatch;
                grid.ModelMaxSequenceLength = modelSequenceLength;
            })
            .AddGridFileStorage());
        var host = builder.Build();
        await host.StartAsync();
        return new InProcessSilo(host, gatewayPort, clusterId);
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
