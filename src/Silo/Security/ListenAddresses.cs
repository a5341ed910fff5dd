using System.Net;

namespace VerlOrleans.Silo.Security;

/// <summary>
/// Where the web server will listen, read from the same settings Kestrel reads (<c>urls</c> / <c>--urls</c> /
/// <c>ASPNETCORE_URLS</c>, <c>http_ports</c>/<c>https_ports</c>, <c>Kestrel:Endpoints:*:Url</c>), so the grid can refuse to
/// start open on a network address before it binds one.
/// </summary>
public static class ListenAddresses
{
    /// <summary>Every configured listen URL (Kestrel's own default, localhost:5000, when none is).</summary>
    public static IReadOnlyList<string> Read(IConfiguration configuration)
    {
        var urls = new List<string>();
        urls.AddRange(Split(configuration["urls"]));
        // A bare port list binds every interface (the container images set ASPNETCORE_HTTP_PORTS).
        urls.AddRange(Split(configuration["http_ports"]).Select(port => $"http://*:{port}"));
        urls.AddRange(Split(configuration["https_ports"]).Select(port => $"https://*:{port}"));
        urls.AddRange(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        return urls.Count > 0 ? urls : ["http://localhost:5000"];
    }

    /// <summary>True when <paramref name="url"/> listens on loopback only (127.0.0.0/8, ::1 or localhost).</summary>
    public static bool IsLoopback(string url)
    {
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var host = rest.StartsWith('[') ? rest[1..Math.Max(1, rest.IndexOf(']'))] : rest.Split([':', '/'], 2)[0];
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>
    /// Throws, naming the address and the setting to add, when the grid would listen off loopback with no tokens:
    /// anyone who can reach the port could start, cancel and read everything.
    /// </summary>
    public static void RefuseOpenOffLoopback(IConfiguration configuration, AuthSettings auth)
    {
        var exposed = Read(configuration).Where(url => !IsLoopback(url)).ToList();
        if (auth.IsOpen && exposed.Count > 0)
        {
            throw new Hosting.StartupRefusedException(
                $"VerlOrleans refuses to start: it would listen on {string.Join(", ", exposed)}, which is not loopback, and no API token is configured, " +
                $"so anyone who can reach it could start, cancel and read everything. Add tokens (`verlorleans token new --name NAME --role admin` prints the " +
                $"{AuthSettings.SectionName}:Tokens settings), or listen on 127.0.0.1 only (--urls http://127.0.0.1:5080).");
        }
    }

    private static IEnumerable<string> Split(string? list) =>
        (list ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
