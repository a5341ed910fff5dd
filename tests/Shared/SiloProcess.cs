using System.Diagnostics;
using System.Reflection;
using System.Text;
using Xunit;

namespace VerlOrleans.Testing;

/// <summary>
/// The real silo host, started with <c>dotnet run --no-build --project src/Silo</c> (the README's command) on
/// free 127.0.0.1 ports and a temporary data directory; killed with its process tree on dispose. By default without
/// the launch profile (the Production environment: no demo sweep on first start, as a deployment runs);
/// <see cref="AsReadmeCommand"/> keeps it (Development, the embedded default a newcomer gets).
/// </summary>
public sealed class SiloProcess : IAsyncLifetime
{
    private readonly TempDirectory? _ownedData;
    private readonly StringBuilder _log = new();
    private readonly bool _launchProfile;
    private Process? _process;

    /// <summary>A silo with its own temporary data directory (deleted on dispose).</summary>
    public SiloProcess()
    {
        _ownedData = new TempDirectory("silo-process");
        DataDirectory = _ownedData.Path;
    }

    private SiloProcess(string dataDirectory, bool launchProfile)
    {
        DataDirectory = dataDirectory;
        _launchProfile = launchProfile;
    }

    /// <summary>A silo over an existing data directory (kept on dispose), e.g. to restart on the same state.</summary>
    public static SiloProcess OnDataDirectory(string dataDirectory) => new(dataDirectory, launchProfile: false);

    /// <summary>
    /// The README's first command exactly (<c>dotnet run --project src/Silo</c> with its launch profile, so the
    /// Development settings and the demo on first start), over <paramref name="dataDirectory"/> (kept on dispose).
    /// </summary>
    public static SiloProcess AsReadmeCommand(string dataDirectory) => new(dataDirectory, launchProfile: true);

    public string DataDirectory { get; }

    /// <summary>Settings of the silo's own, as environment variables (e.g. <c>VERLORLEANS__DEMODIRECTORY</c>); set before it starts.</summary>
    public Dictionary<string, string> Settings { get; } = [];

    public Uri BaseAddress { get; } = new($"http://127.0.0.1:{FreePort.Next()}/");

    /// <summary>The Orleans gateway port cluster clients (the CLI's <c>--cluster 127.0.0.1:PORT</c>) connect to.</summary>
    public int GatewayPort { get; } = FreePort.Next();

    /// <summary>The silo-to-silo port: a silo address of this process starts with <c>127.0.0.1:{SiloPort}@</c>.</summary>
    public int SiloPort { get; } = FreePort.Next();

    /// <summary>
    /// Start the built silo itself (<c>dotnet VerlOrleans.Silo.dll</c> in its output folder, as a deployment runs it)
    /// instead of through <c>dotnet run</c>, so that <see cref="StopAsync"/>'s SIGTERM reaches the silo.
    /// </summary>
    public bool Direct { get; init; }

    /// <summary>Where the silo lets requests name checkpoints (VerlOrleans:Paths:CheckpointRoots); the test folders by default.</summary>
    public IReadOnlyList<string> CheckpointRoots { get; init; } = RepositoryPaths.TestRoots;

    /// <summary>Where the silo lets requests name datasets (VerlOrleans:Paths:DataRoots); the test folders by default.</summary>
    public IReadOnlyList<string> DataRoots { get; init; } = RepositoryPaths.TestRoots;

    /// <summary>Listen on every address (http://0.0.0.0:PORT) rather than 127.0.0.1: a grid that needs tokens.</summary>
    public bool ListenOnAnyAddress { get; init; }

    /// <summary>True when <paramref name="siloAddress"/> (Orleans' parsable form) is this process's silo.</summary>
    public bool Hosts(string? siloAddress) => siloAddress?.StartsWith($"127.0.0.1:{SiloPort}@", StringComparison.Ordinal) == true;

    /// <summary>The process's exit code once it exited.</summary>
    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>The silo's Orleans cluster id (its own per process, so parallel test silos never meet).</summary>
    public string ClusterId { get; } = $"e2e-{Guid.NewGuid():N}";

    /// <summary>Everything the process printed so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        var configuration = typeof(SiloProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BuildConfiguration").Value!;
        var output = Path.Combine(RepositoryPaths.Root, "src", "Silo", "bin", configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Direct ? output : RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] profile = _launchProfile ? [] : ["--no-launch-profile"];
        var urls = ListenOnAnyAddress ? $"http://0.0.0.0:{BaseAddress.Port}" : BaseAddress.ToString().TrimEnd('/');
        string[] command = Direct
            ? [Path.Combine(output, "VerlOrleans.Silo.dll"), "--urls", urls]
            : ["run", "--no-build", .. profile, "-c", configuration, "--project", "src/Silo", "--", "--urls", urls];
        foreach (var arg in command)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["VERLORLEANS__DATADIRECTORY"] = DataDirectory;
        start.Environment["VERLORLEANS__MODELMAXSEQUENCELENGTH"] = "1024";
        // Tests start the same small runs again and again and watch them generate; the cache's own tests turn it on.
        start.Environment["VERLORLEANS__RESULTSCACHE"] = "false";
        start.Environment["VERLORLEANS__CLUSTER__SILOPORT"] = SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["VERLORLEANS__CLUSTER__GATEWAYPORT"] = GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["VERLORLEANS__CLUSTER__CLUSTERID"] = ClusterId;
        for (var i = 0; i < CheckpointRoots.Count; i++)
        {
            start.Environment[$"VERLORLEANS__PATHS__CHECKPOINTROOTS__{i}"] = CheckpointRoots[i];
        }

        for (var i = 0; i < DataRoots.Count; i++)
        {
            start.Environment[$"VERLORLEANS__PATHS__DATAROOTS__{i}"] = DataRoots[i];
        }

        foreach (var (key, value) in Settings)
        {
            start.Environment[key] = value;
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the silo exited with code {_process.ExitCode} before serving:\n{Log}");
            }

            try
            {
                if ((await http.GetAsync("health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but slow to answer while the silo starts.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"the silo did not report healthy at {BaseAddress} within 120 s:\n{Log}");
    }

    /// <summary>Kills the silo at once (SIGKILL to the whole process tree), as a crash or an OOM kill would.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>
    /// Asks the silo to stop (SIGTERM, as <c>docker stop</c> or systemd do) and waits for it to exit; returns its exit
    /// code. Needs <see cref="Direct"/>: through <c>dotnet run</c> the signal would stop the wrapper, not the silo.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!Direct)
        {
            throw new InvalidOperationException("StopAsync needs a Direct silo process");
        }

        if (_process is { HasExited: false })
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await _process.WaitForExitAsync(new CancellationTokenSource(timeout).Token);
        }

        return _process!.ExitCode;
    }

    public async Task DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _ownedData?.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
