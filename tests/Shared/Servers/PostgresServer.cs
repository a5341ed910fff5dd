using System.Diagnostics;
using System.Globalization;
using Xunit;

namespace VerlOrleans.Testing.Servers;

/// <summary>
/// A real PostgreSQL (Debian's <c>postgresql</c> package) in a fresh temporary cluster on a free 127.0.0.1 port, trust
/// authentication, no fsync (test data only), deleted on dispose. PostgreSQL refuses to run as root, so under root
/// (CI) its commands run as the package's <c>postgres</c> user.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string User = "verlorleans";

    private readonly ServerProcess _process = new("postgres");
    private readonly TempDirectory _folder = new("postgres");
    private string _bin = "";

    public int Port { get; } = FreePort.Next();

    /// <summary>Npgsql connection string to the server's <c>postgres</c> database as its superuser.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username={User};Database=postgres";

    public async Task InitializeAsync()
    {
        _bin = FindBin();
        var data = Path.Combine(_folder.Path, "data");
        if (IsRoot)
        {
            await RunAsync("chown", "postgres:postgres", _folder.Path);
        }

        await RunAsync(AsServerUser(Path.Combine(_bin, "initdb"), "-D", data, "-A", "trust", "-U", User, "-E", "UTF8", "--no-sync"));
        var start = new ProcessStartInfo(IsRoot ? "runuser" : Path.Combine(_bin, "postgres"));
        string[] args = ["-D", data, "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", _folder.Path, "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"];
        foreach (var arg in IsRoot ? ["-u", "postgres", "--", Path.Combine(_bin, "postgres"), .. args] : args)
        {
            start.ArgumentList.Add(arg);
        }

        _process.Start(start);
        await _process.WaitUntilAsync(IsReadyAsync, TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await _process.StopAsync();
        _folder.Dispose();
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string FindBin()
    {
        var versions = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [];
        return versions.Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).Order(StringComparer.Ordinal).LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is missing (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql (.ci/run does)");
    }

    private static string[] AsServerUser(params string[] command) => IsRoot ? ["runuser", "-u", "postgres", "--", .. command] : command;

    private async Task<bool> IsReadyAsync() =>
        await TryRunAsync(Path.Combine(_bin, "pg_isready"), "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", User) == 0;

    private static async Task RunAsync(params string[] command)
    {
        var (code, output) = await ExecAsync(command);
        if (code != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} exited with {code}:\n{output}");
        }
    }

    private static async Task<int> TryRunAsync(params string[] command) => (await ExecAsync(command)).Code;

    private static async Task<(int Code, string Output)> ExecAsync(string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command[0]} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
