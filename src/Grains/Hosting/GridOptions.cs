using VerlOrleans.Evaluation.Rewards.Python;

namespace VerlOrleans.Grains.Hosting;

/// <summary>Settings of the grid that grains and silo services share (configuration section <c>VerlOrleans</c>).</summary>
public sealed class GridOptions
{
    /// <summary>Configuration section these options bind to.</summary>
    public const string SectionName = "VerlOrleans";

    /// <summary>Root of everything the grid writes on this machine: grain state, merged checkpoints, results.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory();

    /// <summary>How often each silo re-reports its devices to the cluster directory.</summary>
    public TimeSpan SiloReportInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often each silo makes sure every unfinished run is executing somewhere (besides at once when a silo leaves):
    /// the bound on how long a run can sit idle after its silo stopped.
    /// </summary>
    public TimeSpan RunSupervisionInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a stopping silo gives its grains to finish: runs drain (calls in flight are written) and hand off,
    /// models finish the requests in flight, before the weights are freed and the process exits.
    /// </summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A model nobody generated with for this long is unloaded (its grain deactivates).</summary>
    public TimeSpan ModelIdleUnloadAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Sequences a model engine holds at once (KV cache slots).</summary>
    public int ModelMaxBatchSize { get; set; } = 32;

    /// <summary>Positions per KV slot; null: the model's max_position_embeddings capped at 4096.</summary>
    public int? ModelMaxSequenceLength { get; set; }

    /// <summary>Share of each device's memory that resident models may use.</summary>
    public double DeviceMemoryFraction { get; set; } = 0.8;

    /// <summary>Caps every device's model budget (bytes) on this silo; null: no cap beyond the fraction.</summary>
    public long? DeviceMemoryLimitBytes { get; set; }

    /// <summary>
    /// Where results and merged models live: a path every silo of a cluster mounts at the same place (NFS, a shared
    /// volume), so a run's folder and a merged model are readable from whichever silo hosts the grain. Null: the
    /// <see cref="DataDirectory"/> (one machine).
    /// </summary>
    public string? SharedDirectory { get; set; }

    /// <summary>The shared root in effect: <see cref="SharedDirectory"/>, else <see cref="DataDirectory"/>.</summary>
    public string SharedRoot => string.IsNullOrWhiteSpace(SharedDirectory) ? DataDirectory : SharedDirectory;

    /// <summary>Merged Hugging Face folders, one per content hash, under <see cref="SharedRoot"/>.</summary>
    public string ModelCacheDirectory => Path.Combine(SharedRoot, "models");

    /// <summary>Evaluation results, one folder per run, under <see cref="SharedRoot"/>.</summary>
    public string RunsDirectory => Path.Combine(SharedRoot, "runs");

    /// <summary>The demo this silo ships (verl-run/ and data/, copied next to the silo's binaries from the repository's demo/).</summary>
    public string DemoDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "demo");

    /// <summary>Start the demo sweep when the grid has never seen a run (the embedded default; off in deployments).</summary>
    public bool StartDemoOnFirstRun { get; set; }

    /// <summary>Where requests may name checkpoints and datasets (<c>VerlOrleans:Paths</c>).</summary>
    public PathRootsOptions Paths { get; set; } = new();

    /// <summary>
    /// How custom Python reward files run on this silo (<c>VerlOrleans:PythonRewards</c>): interpreter or virtualenv,
    /// workers per run, samples per message, per-sample timeout.
    /// </summary>
    public PythonRewardOptions PythonRewards { get; set; } = new();

    /// <summary>
    /// Answer a run whose settings, model content and dataset content equal a finished run's from that run instead of
    /// generating again (<c>VerlOrleans:ResultsCache</c>); off, every run generates.
    /// </summary>
    public bool ResultsCache { get; set; } = true;

    /// <summary>What one request or run may ask for (<c>VerlOrleans:Limits</c>).</summary>
    public RequestLimitsOptions Limits { get; set; } = new();

    /// <summary>Grain state folder under <see cref="DataDirectory"/>.</summary>
    public string GrainStateDirectory => Path.Combine(DataDirectory, "grain-state");

    /// <summary>The user's home folder: with the demo folder, where the embedded default lets requests name files.</summary>
    public static string HomeDirectory => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    private static string DefaultDataDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
            : xdg;
        return Path.Combine(root, "verlorleans");
    }
}
