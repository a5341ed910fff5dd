using System.Diagnostics;
using System.Net.Sockets;
using Xunit;

namespace VerlOrleans.Testing.Servers;

/// <summary>
/// A real Redis (Debian's <c>redis-server</c>) on a free 127.0.0.1 port, in memory only, stopped on dispose.
/// <c>.ci/run</c> installs it; on a machine without it the fixture fails naming the package.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    public const string Executable = "/usr/bin/redis-server";

    private readonly ServerProcess _process = new("redis-server");

    public int Port { get; } = FreePort.Next();

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: apt-get install redis-server (.ci/run does)");
        }

        var start = new ProcessStartInfo(Executable);
        foreach (var arg in (string[])["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"])
        {
            start.ArgumentList.Add(arg);
        }

        _process.Start(start);
        await _process.WaitUntilAsync(PingAsync, TimeSpan.FromSeconds(20));
    }

    /// <summary>Sends one command in Redis' inline protocol and returns the first reply line.</summary>
    public async Task<string> CommandAsync(string command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(command + "\r\n"));
        using var reader = new StreamReader(stream);
        return await reader.ReadLineAsync() ?? "";
    }

    public Task DisposeAsync() => _process.StopAsync();

    private async Task<bool> PingAsync() => await CommandAsync("PING") == "+PONG";
}
