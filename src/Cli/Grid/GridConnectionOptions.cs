using System.CommandLine;
using System.Globalization;

namespace VerlOrleans.Cli.Grid;

/// <summary>
/// How a grid command reaches the cluster: <c>--cluster HOST:PORT</c> (a silo's gateway), and the Orleans cluster and
/// service ids, which must match the silo's (<c>VerlOrleans:Cluster</c> settings; "verlorleans" by default); or
/// <c>--api URL</c> (or <c>VERLORLEANS_API</c>), the silo's HTTP API, with the bearer token from <c>--token-file</c> or
/// <c>VERLORLEANS_TOKEN</c>. There is no <c>--token VALUE</c>: a command line is visible to every user of the machine
/// (<c>ps</c>, <c>/proc</c>) and lands in shell history.
/// A new instance per command: System.CommandLine symbols belong to one parent.
/// </summary>
internal sealed class GridConnectionOptions
{
    public const string DefaultGateway = "127.0.0.1:30000";
    public const string DefaultId = "verlorleans";

    public Option<string> Cluster { get; } = new("--cluster") { Description = "Gateway of a VerlOrleans silo, HOST:PORT", DefaultValueFactory = _ => DefaultGateway };
    public Option<string> ClusterId { get; } = new("--cluster-id") { Description = "Orleans cluster id of the silos", DefaultValueFactory = _ => DefaultId };
    public Option<string> ServiceId { get; } = new("--service-id") { Description = "Orleans service id of the silos", DefaultValueFactory = _ => DefaultId };
    public Option<double> ConnectTimeout { get; } = new("--connect-timeout") { Description = "Seconds to wait for a connection (gateway or API) before giving up", DefaultValueFactory = _ => 10 };

    public Option<string?> Api { get; } = new("--api") { HelpName = "URL",  Description = $"The silo's HTTP address (e.g. http://127.0.0.1:5080): go through its API instead of the gateway [env: {ApiVariable}]" };
    public Option<string?> TokenFile { get; } = new("--token-file") { HelpName = "PATH",  Description = $"With --api: a file holding the bearer token [env: {TokenVariable} holds the token itself]" };

    public const string ApiVariable = "VERLORLEANS_API";
    public const string TokenVariable = "VERLORLEANS_TOKEN";

    public Option<FileInfo?> TlsCertificate { get; } = new("--tls-certificate")
    {
        Description = "The cluster certificate (.pfx) when the silos use TLS (VerlOrleans:Cluster:Tls); its password from VERLORLEANS_TLS_PASSWORD",
    };

    public IReadOnlyList<Option> All => [Cluster, ClusterId, ServiceId, ConnectTimeout, Api, TokenFile, TlsCertificate];

    /// <summary>
    /// The HTTP API to use, or null for the gateway: <c>--api</c>, else <c>VERLORLEANS_API</c> unless <c>--cluster</c>
    /// names a gateway. A malformed value throws <see cref="ArgumentException"/> naming the option (never the token).
    /// </summary>
    public GridApiEndpoint? ReadApi(ParseResult parseResult)
    {
        var api = parseResult.GetValue(Api);
        var clusterGiven = parseResult.GetResult(Cluster) is { Implicit: false };
        if (api is not null && clusterGiven)
        {
            throw new ArgumentException("--api and --cluster are two ways to the grid: give one");
        }

        var tokenFile = parseResult.GetValue(TokenFile);
        var url = api ?? (clusterGiven ? null : Environment.GetEnvironmentVariable(ApiVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
        if (url is null)
        {
            // A gateway takes no token: accepting one silently would suggest the calls are authenticated.
            return tokenFile is null ? null : throw new ArgumentException("--token-file goes with --api URL (the HTTP API); a gateway takes no token");
        }

        var source = api is not null ? "--api" : ApiVariable;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new ArgumentException($"{source} '{url}' is not an http:// or https:// URL such as http://127.0.0.1:5080");
        }

        var token = tokenFile is not null ? ReadTokenFile(tokenFile) : Environment.GetEnvironmentVariable(TokenVariable)?.Trim() is { Length: > 0 } t ? t : null;
        if (token is not null && token.Any(c => c is < '!' or > '~'))
        {
            throw new ArgumentException($"the token from {(tokenFile is null ? TokenVariable : $"--token-file {tokenFile}")} holds spaces, line breaks or non-ASCII characters, which no bearer token has");
        }

        var baseAddress = new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
        return new GridApiEndpoint(baseAddress, token, TimeSpan.FromSeconds(ReadTimeout(parseResult)));
    }

    /// <summary>The connection settings; a malformed value throws <see cref="ArgumentException"/> naming the option.</summary>
    public GridEndpoint Read(ParseResult parseResult)
    {
        var gateway = parseResult.GetValue(Cluster)!;
        var colon = gateway.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(gateway.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new ArgumentException($"--cluster '{gateway}' is not HOST:PORT with a port in 1..65535");
        }

        // [::1]:30000 names an IPv6 host.
        var host = gateway[..colon].Trim('[', ']');
        var certificate = parseResult.GetValue(TlsCertificate);
        if (certificate is { Exists: false })
        {
            throw new ArgumentException($"--tls-certificate {certificate.FullName} does not exist");
        }

        return new GridEndpoint(host, port, Required(parseResult, ClusterId), Required(parseResult, ServiceId), TimeSpan.FromSeconds(ReadTimeout(parseResult)))
        {
            TlsCertificate = certificate?.FullName,
        };
    }

    private double ReadTimeout(ParseResult parseResult)
    {
        var timeout = parseResult.GetValue(ConnectTimeout);
        return timeout > 0 ? timeout : throw new ArgumentException($"--connect-timeout {timeout.ToString(CultureInfo.InvariantCulture)} must be a positive number of seconds");
    }

    private static string ReadTokenFile(string path)
    {
        string token;
        try
        {
            token = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--token-file {path}: {e.Message}", e);
        }

        return token.Length > 0 ? token : throw new ArgumentException($"--token-file {path} is empty");
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

/// <summary>A silo's HTTP API (<see cref="BaseAddress"/> ends with '/') and the bearer token to show it, if any.</summary>
internal sealed record GridApiEndpoint(Uri BaseAddress, string? Token, TimeSpan ConnectTimeout)
{
    /// <summary>The URL as messages name it, without the trailing '/'.</summary>
    public string Address => BaseAddress.ToString().TrimEnd('/');

    /// <summary>Plain http to another machine: a token sent there can be read on the way.</summary>
    public bool SendsTokenInTheClear => Token is not null && BaseAddress.Scheme == Uri.UriSchemeHttp && !BaseAddress.IsLoopback;

    // The token stays out of every printed form of this record.
    public override string ToString() => Address;
}
