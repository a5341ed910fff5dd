using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests.Api;

/// <summary>
/// A real silo whose requests may name checkpoints only under <see cref="CheckpointRoot"/> and datasets only under
/// <see cref="DataRoot"/>, with bait around them: a folder and files outside the roots, symbolic links inside the
/// roots that point out of them, and a FIFO outside whose opening would block (so a request that read it would hang,
/// and a reader would show up as a FIFO with a reader). One completed run exists before any hostile request.
/// </summary>
public sealed class HostileApiFixture : IAsyncLifetime
{
    private readonly TempDirectory _root = new("hostile");

    public HostileApiFixture()
    {
        CheckpointRoot = _root.Combine("checkpoints");
        DataRoot = _root.Combine("data");
        Outside = _root.Combine("outside");
        Silo = new SiloProcess { CheckpointRoots = [CheckpointRoot], DataRoots = [DataRoot] };
        // The fuzz starts a few hundred runs as one caller: keep the per-caller limit (tested on its own) out of its way.
        Silo.Settings["VERLORLEANS__LIMITS__MAXACTIVEJOBSPERCALLER"] = "1000";
    }

    public SiloProcess Silo { get; }

    public string CheckpointRoot { get; }

    public string DataRoot { get; }

    public string Outside { get; }

    /// <summary>A copy of the tiny chat model inside the checkpoint root.</summary>
    public string Model => Path.Combine(CheckpointRoot, "tiny-chat");

    /// <summary>verl's gsm8k test parquet inside the data root.</summary>
    public string Dataset => Path.Combine(DataRoot, "gsm8k.parquet");

    /// <summary>A FIFO outside the roots: opening it for reading blocks until a writer comes.</summary>
    public string Fifo => Path.Combine(Outside, "secret.parquet");

    /// <summary>The run that exists before the hostile requests, and its status then.</summary>
    public RunStatus Baseline { get; private set; } = null!;

    public GridApiClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        foreach (var folder in new[] { CheckpointRoot, DataRoot, Outside, Path.Combine(CheckpointRoot, "empty"), Path.Combine(Outside, "tiny-chat") })
        {
            Directory.CreateDirectory(folder);
        }

        CopyFolder(TinyChatModel.Folder, Model);
        CopyFolder(TinyChatModel.Folder, Path.Combine(Outside, "tiny-chat"));
        var gsm8k = Path.Combine(RepositoryPaths.SharedFolder ?? throw new InvalidOperationException("../shared is missing"), "data", "verl-data", "gsm8k_test.parquet");
        File.Copy(gsm8k, Dataset);
        File.Copy(gsm8k, Path.Combine(Outside, "real.parquet"));
        await File.WriteAllTextAsync(Path.Combine(DataRoot, "corrupt.parquet"), "PAR1 this is not a parquet file PAR1", Encoding.ASCII);
        if (MakeFifo(Fifo, 0x1B6) != 0)
        {
            throw new InvalidOperationException($"mkfifo {Fifo} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        File.CreateSymbolicLink(Path.Combine(DataRoot, "escape.parquet"), Fifo);
        File.CreateSymbolicLink(Path.Combine(DataRoot, "escape-real.parquet"), Path.Combine(Outside, "real.parquet"));
        Directory.CreateSymbolicLink(Path.Combine(CheckpointRoot, "escape"), Path.Combine(Outside, "tiny-chat"));
        Directory.CreateSymbolicLink(Path.Combine(CheckpointRoot, "relative-escape"), "../outside/tiny-chat");

        await Silo.InitializeAsync();
        Api = new GridApiClient(Silo.BaseAddress);
        await Api.StartRunAsync(ValidSpec(), "baseline");
        Baseline = await Api.WaitAsync("baseline", s => s.State.IsFinished(), TimeSpan.FromMinutes(2));
    }

    /// <summary>A run spec every check accepts: one row, two tokens, greedy.</summary>
    public RunSpec ValidSpec() => new()
    {
        Checkpoint = Model,
        DataFiles = [Dataset],
        MaxSamples = 1,
        Sampling = new Contracts.Models.SamplingSettings { Temperature = 0, MaxTokens = 2 },
        Prompt = new PromptSettings { MaxPromptLength = 512, Truncation = "left" },
    };

    /// <summary>The valid spec as the JSON a client sends, to take apart.</summary>
    public JsonObject ValidRequest(string? runId = null) => JsonSerializer(new { spec = ValidSpec(), runId });

    /// <summary>True when some process holds the FIFO open for reading (a request read outside the roots).</summary>
    public bool FifoHasReader()
    {
        const int WriteOnlyNonBlocking = 0x1 | 0x800;
        var fd = Open(Fifo, WriteOnlyNonBlocking);
        if (fd < 0)
        {
            return false; // ENXIO: nobody reads it.
        }

        Close(fd);
        return true;
    }

    public async Task DisposeAsync()
    {
        Api?.Dispose();
        await Silo.DisposeAsync();
        _root.Dispose();
    }

    private static JsonObject JsonSerializer(object value) =>
        System.Text.Json.JsonSerializer.SerializeToNode(value, GridApiClient.Json)!.AsObject();

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MakeFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
