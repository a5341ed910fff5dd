using System.Globalization;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests.Cluster;

/// <summary>
/// Real silo processes (the built silo, as a deployment starts it) forming one cluster on a real store (Redis or
/// PostgreSQL), with one shared results folder as an NFS mount would give them, each with its own local data folder
/// and its own model budget. Silos added later join the same cluster; disposing kills them all.
/// </summary>
public sealed class GridCluster(string provider, string connectionString) : IAsyncDisposable
{
    /// <summary>A budget no model fits in: such a silo hosts runs and the API, never weights.</summary>
    public const long NoModelBudget = 1_000_000;

    private readonly List<SiloProcess> _silos = [];

    public TempDirectory Shared { get; } = new("cluster-shared");

    public string ClusterId { get; } = $"cluster-{Guid.NewGuid():N}";

    public IReadOnlyList<SiloProcess> Silos => _silos;

    /// <summary>
    /// Starts one more silo in the cluster; <paramref name="modelBudget"/> caps its device budget (null: the machine's),
    /// <paramref name="settings"/> adds settings of its own.
    /// </summary>
    public async Task<SiloProcess> StartSiloAsync(long? modelBudget = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var silo = new SiloProcess { Direct = true };
        silo.Settings["VERLORLEANS__CLUSTER__PROVIDER"] = provider;
        silo.Settings["VERLORLEANS__CLUSTER__CONNECTIONSTRING"] = connectionString;
        silo.Settings["VERLORLEANS__CLUSTER__CLUSTERID"] = ClusterId;
        silo.Settings["VERLORLEANS__SHAREDDIRECTORY"] = Shared.Path;
        silo.Settings["VERLORLEANS__SILOREPORTINTERVAL"] = "00:00:01";
        silo.Settings["VERLORLEANS__RUNSUPERVISIONINTERVAL"] = "00:00:10";
        if (modelBudget is { } budget)
        {
            silo.Settings["VERLORLEANS__DEVICEMEMORYLIMITBYTES"] = budget.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            silo.Settings[key] = value;
        }

        _silos.Add(silo);
        await silo.InitializeAsync();
        return silo;
    }

    /// <summary>Waits until the cluster overview (read through <paramref name="api"/>) lists <paramref name="active"/> active silos that reported devices.</summary>
    public static Task WaitForActiveSilosAsync(GridApiClient api, int active) =>
        GridApiClient.PollAsync(api.GetClusterAsync, o => o.Silos.Count(s => s.Status == "Active" && s.Devices.Count > 0) == active,
            TimeSpan.FromSeconds(90), $"{active} active silos");

    /// <summary>The silo process whose Orleans address is <paramref name="siloAddress"/>.</summary>
    public SiloProcess Hosting(string? siloAddress) =>
        _silos.SingleOrDefault(s => s.Hosts(siloAddress)) ?? throw new InvalidOperationException($"no silo of this cluster is {siloAddress}");

    /// <summary>Prompts of the demo dataset each run evaluates.</summary>
    public const int DemoPrompts = 256;

    /// <summary>
    /// The demo's setup (its trained model's checkpoints on its 256 held-out problems, greedy, verl's gsm8k reward:
    /// scores that differ from step to step), one prompt at a time so a run lasts long enough to be caught mid-way.
    /// </summary>
    public static RunSpec DemoSpec(string checkpoint) => new()
    {
        Checkpoint = checkpoint,
        DataFiles = [DemoFiles.Dataset],
        Sampling = new SamplingSettings { N = 1, Temperature = 0, MaxTokens = 32 },
        Prompt = new PromptSettings { MaxPromptLength = 128 },
        BatchSize = 1,
    };

    /// <summary>Four steps of the demo's verl run: a sweep of four checkpoints.</summary>
    public static IReadOnlyList<string> DemoCheckpoints => [.. DemoFiles.Steps.Take(4).Select(DemoFiles.Actor)];

    /// <summary>Waits for a sweep to finish (each silo may be the one answering, or gone).</summary>
    public static Task<SweepStatus> WaitForSweepAsync(GridApiClient api, string sweepId, TimeSpan timeout) =>
        GridApiClient.PollAsync(() => api.GetSweepAsync(sweepId), s => s.IsFinished, timeout, $"sweep {sweepId}");

    /// <summary>For a failure message: each silo's log lines that mention <paramref name="needle"/>, with the level line above each.</summary>
    public string LogsMentioning(string needle)
    {
        var report = new System.Text.StringBuilder();
        foreach (var silo in _silos)
        {
            var lines = silo.Log.Split('\n');
            report.AppendLine(CultureInfo.InvariantCulture, $"--- silo {silo.SiloPort} (exit {silo.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "running"}):");
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Contains(needle, StringComparison.Ordinal))
                {
                    report.AppendLine(i > 0 ? lines[i - 1].TrimEnd() : "").AppendLine(lines[i].TrimEnd());
                }
            }
        }

        return report.ToString();
    }

    /// <summary>Runs <paramref name="step"/>; a failure carries the silos' log lines about <paramref name="needle"/>.</summary>
    public async Task<T> DiagnosedAsync<T>(string needle, Func<Task<T>> step)
    {
        try
        {
            return await step();
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            var folder = Path.Combine(AppContext.BaseDirectory, "cluster-logs", $"{needle}-{DateTime.UtcNow:HHmmss}");
            Directory.CreateDirectory(folder);
            foreach (var silo in _silos)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, $"silo-{silo.SiloPort}.log"), silo.Log);
            }

            throw new InvalidOperationException($"{e.Message}\nsilo logs in {folder}; lines about {needle}:\n{LogsMentioning(needle)}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        Shared.Dispose();
    }
}
