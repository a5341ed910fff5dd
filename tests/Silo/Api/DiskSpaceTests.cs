using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests.Api;

/// <summary>
/// A run cannot fill the disk silently: it is refused (507) when the results disk lacks the configured room, and a run
/// that runs out of room midway fails with the system's message while what it wrote, and every other run, stay intact.
/// The full disk is a real one: a 1 MiB tmpfs mounted as the silo's shared folder (the test runs as root, as CI does).
/// </summary>
public sealed class DiskSpaceTests
{
    [Fact]
    public async Task A_run_is_refused_with_507_when_the_results_disk_lacks_the_configured_room()
    {
        await using var silo = new SiloProcess();
        silo.Settings["VERLORLEANS__LIMITS__MINFREEDISKBYTES"] = (1L << 50).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await silo.InitializeAsync();
        using var api = new GridApiClient(silo.BaseAddress);
        using var response = await api.Http.PostAsJsonAsync("api/runs", new { spec = Spec(1), runId = "no-room" }, GridApiClient.Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InsufficientStorage, response.StatusCode);
        Assert.Contains("a run needs 1073741824 MiB (VerlOrleans:Limits:MinFreeDiskBytes)", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync("api/runs/no-room")).StatusCode);
    }

    [Fact]
    public async Task A_run_that_fills_the_disk_fails_with_the_reason_and_harms_nothing_written()
    {
        using var mount = await TmpfsMount.CreateAsync(sizeBytes: 1 << 20);
        await using var silo = new SiloProcess();
        silo.Settings["VERLORLEANS__SHAREDDIRECTORY"] = mount.Path;
        silo.Settings["VERLORLEANS__LIMITS__MINFREEDISKBYTES"] = "65536";
        await silo.InitializeAsync();
        using var api = new GridApiClient(silo.BaseAddress);

        await api.StartRunAsync(Spec(2), "small");
        var small = await api.WaitAsync("small", s => s.State.IsFinished(), TimeSpan.FromMinutes(2));
        Assert.Equal(RunState.Completed, small.State);
        var before = Snapshot(small.ResultsDirectory!);

        await api.StartRunAsync(Spec(1000), "too-big");
        var failed = await api.WaitAsync("too-big", s => s.State.IsFinished(), TimeSpan.FromMinutes(4));
        Assert.True(failed.State == RunState.Failed, $"{failed.State}: {failed.Error}");
        Assert.Contains("No space left on device", failed.Error, StringComparison.Ordinal);
        Assert.InRange(failed.Progress.SamplesDone, 1, 999);

        // The runs list says why; the other run's files are byte for byte what they were; the silo still serves.
        // (the catalog hears of the failure a moment after the run reads it)
        var listed = await GridApiClient.PollAsync(
            async () => (await api.Http.GetFromJsonAsync<List<JsonElement>>("api/runs", GridApiClient.Json))!.Single(r => r.GetProperty("runId").GetString() == "too-big"),
            r => r.GetProperty("error").ValueKind == JsonValueKind.String, TimeSpan.FromSeconds(30), "the failed run's error in the runs list");
        Assert.Contains("No space left on device", listed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(small.ResultsDirectory!));
        Assert.Equal("Healthy", await api.Http.GetStringAsync("health"));

        // What the failed run wrote is whole lines of results (at most a torn last line, which a resume drops).
        var journal = Path.Combine(failed.ResultsDirectory!, ResultsFolder.ResultsJsonlFile);
        var kept = await ResultsReader.ReadJsonlAsync(journal, dropTornLastLine: true);
        Assert.InRange(kept.Count, 1, 999);
        Assert.Equal(kept.Count, kept.Select(r => (r.Uid, r.SampleIndex)).Distinct().Count());
        // The Parquet file holds whole row groups written before the disk filled, or is gone (an append cut short): never torn.
        var parquet = Path.Combine(failed.ResultsDirectory!, ResultsFolder.ResultsParquetFile);
        if (File.Exists(parquet))
        {
            Assert.InRange((await ResultsReader.ReadAsync(parquet)).Count, 0, kept.Count);
        }
    }

    private static RunSpec Spec(int samples) => new()
    {
        Checkpoint = TinyChatModel.Folder,
        DataFiles = [GridRuns.Gsm8k],
        MaxSamples = samples,
        Sampling = new Contracts.Models.SamplingSettings { Temperature = 0, MaxTokens = 8 },
        Prompt = new Contracts.Runs.PromptSettings { MaxPromptLength = 512, Truncation = "left" },
        BatchSize = 16,
    };

    private static Dictionary<string, string> Snapshot(string folder) =>
        Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    /// <summary>A tmpfs of a fixed size mounted on a fresh temporary folder, unmounted on dispose.</summary>
    private sealed class TmpfsMount : IDisposable
    {
        private readonly TempDirectory _folder = new("tmpfs");

        public string Path => _folder.Path;

        public static async Task<TmpfsMount> CreateAsync(long sizeBytes)
        {
            var mount = new TmpfsMount();
            var (code, output) = await AsRootAsync("mount", "-t", "tmpfs", "-o", $"size={sizeBytes},mode=1777", "tmpfs", mount.Path);
            Assert.True(code == 0, $"mount -t tmpfs failed ({code}): {output}; this test needs root or password-less sudo, as .ci/run has");
            return mount;
        }

        public void Dispose()
        {
            AsRootAsync("umount", "-l", Path).GetAwaiter().GetResult();
            _folder.Dispose();
        }

        // As root when the tests run as root; otherwise through sudo without a password (or not at all).
        private static Task<(int Code, string Output)> AsRootAsync(string file, params string[] args) =>
            Environment.UserName == "root" ? RunAsync(file, args) : RunAsync("sudo", ["-n", file, .. args]);

        private static async Task<(int Code, string Output)> RunAsync(string file, string[] args)
        {
            var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var output = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, output);
        }
    }
}
