using System.Net;
using System.Net.Sockets;

namespace VerlOrleans.Testing;

/// <summary>
/// Ports nobody listens on right now, on 127.0.0.1 (asked from the OS, never hard-coded). The OS may offer a port
/// again once the probe released it, before the process it was meant for binds it: two silos started together then
/// got the same port, and the younger declared the older dead. So a port is never handed out twice per process.
/// </summary>
public static class FreePort
{
    private static readonly HashSet<int> Issued = [];

    public static int Next()
    {
        lock (Issued)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (Issued.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
