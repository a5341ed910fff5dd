using System.Net;
using System.Net.Sockets;

namespace VerlOrleans.Testing;

/// <summary>Ports nobody listens on right now, on 127.0.0.1 (asked from the OS, never hard-coded).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
