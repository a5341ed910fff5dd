using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Testing;

namespace VerlOrleans.Bench.OpenAi;

/// <summary>
/// The model grain's live count of generated tokens (its engine's own counter), read through a cluster client on the
/// silo's gateway: with the /v1 streams' own token times it splits a mixed load between the streams and the run.
/// </summary>
internal sealed class EngineCounter : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly IModelGrain _model;

    private EngineCounter(IHost host, string modelKey)
    {
        _host = host;
        _model = host.Services.GetRequiredService<IClusterClient>().GetGrain<IModelGrain>(modelKey);
    }

    public static async Task<EngineCounter> ConnectAsync(SiloProcess silo, string modelKey)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleansClient(client => client
            .UseStaticClustering(new IPEndPoint(IPAddress.Loopback, silo.GatewayPort))
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = silo.ClusterId;
                o.ServiceId = "verlorleans";
            }));
        var host = builder.Build();
        await host.StartAsync();
        return new EngineCounter(host, modelKey);
    }

    public async Task<long> GeneratedTokensAsync() => (await _model.GetStatusAsync()).GeneratedTokens;

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
