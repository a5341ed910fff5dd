using System.CommandLine;
using System.Globalization;

namespace VerlOrleans.Cli.Grid;

/// <summary>
/// How a grid command reaches the cluster: <c>--cluster HOST:PORT</c> (a silo's gateway), and the Orleans cluster and
/// service ids, which must match the silo's (<c>VerlOrleans:Cluster</c> settings; "verlorleans" by default).
/// A new instance per command: System.CommandLine symbols belong to one parent.
/// </summary>
internal sealed class GridConnectionOptions
{
    public const string DefaultGateway = "127.0.0.1:30000";
    public const string DefaultId = "verlorleans";

    public Option<string> Cluster { get; } = new("--cluster") { Description = "Gateway of a VerlOrleans silo, HOST:PORT", DefaultValueFactory = _ => DefaultGateway };
    public Option<string> ClusterId { get; } = new("--cluster-id") { Description = "Orleans cluster id of the silos", DefaultValueFactory = _ => DefaultId };
    public Option<string> ServiceId { get; } = new("--service-id") { Description = "Orleans service id of the silos", DefaultValueFactory = _ => DefaultId };
    public Option<double> ConnectTimeout { get; } = new("--connect-timeout") { Description = "Seconds to wait for the gateway before giving up", DefaultValueFactory = _ => 10 };
    public Option<FileInfo?> TlsCertificate { get; } = new("--tls-certificate")
    {
        Description = "The cluster certificate (.pfx) when the silos use TLS (VerlOrleans:Cluster:Tls); its password from VERLORLEANS_TLS_PASSWORD",
    };

    public IReadOnlyList<Option> All => [Cluster, ClusterId, ServiceId, ConnectTimeout, TlsCertificate];

    /// <summary>The connection settings; a malformed value throws <see cref="ArgumentException"/> naming the option.</summary>
    public GridEndpoint Read(ParseResult parseResult)
    {
        var gateway = parseResult.GetValue(Cluster)!;
        var colon = gateway.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(gateway.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new ArgumentException($"--cluster '{gateway}' is not HOST:PORT with a port in 1..65535");
        }

        var timeout = parseResult.GetValue(ConnectTimeout);
        if (!(timeout > 0))
        {
            throw new ArgumentException($"--connect-timeout {timeout.ToString(CultureInfo.InvariantCulture)} must be a positive number of seconds");
        }

        // [::1]:30000 names an IPv6 host.
        var host = gateway[..colon].Trim('[', ']');
        var certificate = parseResult.GetValue(TlsCertificate);
        if (certificate is { Exists: false })
        {
            throw new ArgumentException($"--tls-certificate {certificate.FullName} does not exist");
        }

        return new GridEndpoint(host, port, Required(parseResult, ClusterId), Required(parseResult, ServiceId), TimeSpan.FromSeconds(timeout))
        {
            TlsCertificate = certificate?.FullName,
        };
    }

    private static string Required(ParseResult parseResult, Option<string> option) =>
        parseResult.GetValue(option) is { Length: > 0 } value ? value : throw new ArgumentException($"{option.Name} must not be empty");
}

/// <summary>A silo gateway and the ids of its cluster.</summary>
internal sealed record GridEndpoint(string Host, int Port, string ClusterId, string ServiceId, TimeSpan ConnectTimeout)
{
    /// <summary>The cluster certificate file when the gateway speaks TLS; null for plain TCP.</summary>
    public string? TlsCertificate { get; init; }

    /// <summary>HOST:PORT as <c>--cluster</c> takes it.</summary>
    public string Gateway => $"{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}";

    public override string ToString() => $"{Gateway} (cluster '{ClusterId}', service '{ServiceId}')";
}
