using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using System.Security.Cryptography.X509Certificates;
using Orleans.Configuration;
using Orleans.Connections.Security;
using VerlOrleans.Contracts.Access;

namespace VerlOrleans.Cli.Grid;

/// <summary>
/// An Orleans cluster client connected to one silo gateway (static gateway list, the silo's cluster and service ids),
/// with no logging of its own: the command's output is the only output. Disposing disconnects.
/// </summary>
internal sealed class GridConnection : IAsyncDisposable
{
    private const string StartHint = "start one with `dotnet run --project src/Silo`, or name its gateway with --cluster HOST:PORT (and --cluster-id if it has its own)";

    private readonly IHost _host;

    private GridConnection(IHost host, GridEndpoint endpoint)
    {
        _host = host;
        Endpoint = endpoint;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    public IClusterClient Client { get; }

    public GridEndpoint Endpoint { get; }

    /// <summary>Connects, or throws <see cref="GridInputException"/> naming the gateway when no silo answers in time.</summary>
    public static async Task<GridConnection> ConnectAsync(GridEndpoint endpoint, CancellationToken cancellationToken)
    {
        var address = await ResolveAsync(endpoint, cancellationToken);
        await ProbeAsync(endpoint, address, cancellationToken);
        var certificate = LoadCertificate(endpoint);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(new IPEndPoint(address, endpoint.Port));
            if (certificate is not null)
            {
                client.UseTls(certificate, tls =>
                {
                    tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                    tls.RemoteCertificateValidation = (remote, _, _) => ClusterCertificate.IsClusterCertificate(remote, certificate, DateTimeOffset.UtcNow);
                    tls.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = ClusterCertificate.HostName(certificate);
                });
            }

            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = endpoint.ClusterId;
                o.ServiceId = endpoint.ServiceId;
            });
        });
        var host = builder.Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(endpoint.ConnectTimeout);
        try
        {
            await host.StartAsync(timeout.Token);
            return new GridConnection(host, endpoint);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            await DisposeQuietlyAsync(host);
            var why = e is OperationCanceledException ? $"no answer within {endpoint.ConnectTimeout.TotalSeconds:0.#} s" : e.Message;
            if (certificate is null)
            {
                why += "; if the silos use TLS (VerlOrleans:Cluster:Tls), pass the cluster certificate with --tls-certificate";
            }

            throw new GridInputException($"no VerlOrleans silo answered at {endpoint} ({why}); {StartHint}", e);
        }
        catch
        {
            await DisposeQuietlyAsync(host);
            throw;
        }
    }

    public async ValueTask DisposeAsync() => await DisposeQuietlyAsync(_host);

    private static X509Certificate2? LoadCertificate(GridEndpoint endpoint)
    {
        try
        {
            return endpoint.TlsCertificate is { } path ? ClusterCertificate.Load(path, Environment.GetEnvironmentVariable("VERLORLEANS_TLS_PASSWORD")) : null;
        }
        catch (InvalidDataException e)
        {
            throw new GridInputException($"--tls-certificate: {e.Message} (its password comes from VERLORLEANS_TLS_PASSWORD)", e);
        }
    }

    private static async Task<IPAddress> ResolveAsync(GridEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(endpoint.Host, out var literal))
        {
            return literal;
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
            return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
                ?? throw new GridInputException($"--cluster host '{endpoint.Host}' has no address");
        }
        catch (SocketException e)
        {
            throw new GridInputException($"--cluster host '{endpoint.Host}' does not resolve: {e.Message}", e);
        }
    }

    /// <summary>
    /// Fails at once when nothing listens at the gateway: the Orleans client would otherwise keep trying until its
    /// timeout. Something listening that is not a silo of this cluster is left to the client's own handshake.
    /// </summary>
    private static async Task ProbeAsync(GridEndpoint endpoint, IPAddress address, CancellationToken cancellationToken)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(endpoint.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), timeout.Token);
        }
        catch (SocketException e)
        {
            throw new GridInputException($"no VerlOrleans silo answered at {endpoint} ({e.SocketErrorCode}: {e.Message}); {StartHint}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GridInputException($"no VerlOrleans silo answered at {endpoint} (no connection within {endpoint.ConnectTimeout.TotalSeconds:0.#} s); {StartHint}", e);
        }
    }

    private static async Task DisposeQuietlyAsync(IHost host)
    {
        try
        {
            // A client that never connected, or lost its silo, still owns threads and sockets: stop briefly, then let go.
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await host.StopAsync(stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or OrleansException or ObjectDisposedException)
        {
            // Nothing left to disconnect from.
        }
        finally
        {
            host.Dispose();
        }
    }
}
