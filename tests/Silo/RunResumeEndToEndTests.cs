using Xunit.Abstractions;
using System.Net;
using System.Net.Http.Json;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using ResultsFolder = VerlOrleans.Evaluation.Results.ResultsFolder;
using ResultsReader = VerlOrleans.Evaluation.Results.ResultsReader;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests;

/// <summary>
/// The real silo process, driven through its HTTP API: a run survives a SIGKILL of the silo in the middle of
/// generation and, after a restart on the same data directory, completes with every sample exactly once and the
/// same metrics as an uninterrupted run.
/// </summary>
public sealed class RunResumeEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _data = new("resume-e2e");
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    private void Log(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,7:F1}s {what}");

    [Fact]
    public async Task A_run_interrupted_by_killing_the_silo_resumes_after_restart_with_every_sample_exactly_once()
    {
        var shared = RepositoryPaths.SharedFolder ?? throw new InvalidOperationException("../shared (verl's gsm8k parquet) is missing next to the checkout");
        var spec = new RunSpec
        {
            Checkpoint = TinyChatModel.Folder,
            DataFiles = [Path.Combine(shared, "data", "verl-data", "gsm8k_test.parquet")],
            MaxSamples = 120,
            Sampling = new SamplingSettings { N = 2, Temperature = 0.8, TopP = 0.95, Seed = 7, MaxTokens = 48 },
            Prompt = new PromptSettings { MaxPromptLength = 512, Truncation = "left" },
            BatchSize = 8,
        };

        await using (var first = SiloProcess.OnDataDirectory(_data.Path))
        {
            await first.InitializeAsync();
            Log("first silo healthy");
            using var api = new GridApiClient(first.BaseAddress);
            await api.StartRunAsync(spec, "interrupted");
            var midway = await api.WaitAsync("interrupted", s => s.Progress.SamplesDone >= 10, TimeSpan.FromMinutes(2));
            Assert.Equal(RunState.Running, midway.State);
            Log($"midway: {midway.Progress.SamplesDone} samples; killing the silo");
            await first.KillAsync();
            if (first.Log.Contains("Exception", StringComparison.Ordinal))
            {
                output.WriteLine(first.Log);
            }
        }

        var journal = Path.Combine(_data.Path, "runs", "k_interrupted", ResultsFolder.ResultsJsonlFile);
        var beforeRestart = (await ResultsReader.ReadJsonlAsync(journal, dropTornLastLine: true)).Count;
        Assert.InRange(beforeRestart, 1, 239);

        await using var second = SiloProcess.OnDataDirectory(_data.Path);
        await second.InitializeAsync();
        Log("second silo healthy");
        using var client = new GridApiClient(second.BaseAddress);
        var resumed = await client.WaitAsync("interrupted", s => s.State.IsFinished(), TimeSpan.FromMinutes(3));
        Log($"resumed run {resumed.State}");
        await client.StartRunAsync(spec, "uninterrupted");
        var reference = await client.WaitAsync("uninterrupted", s => s.State.IsFinished(), TimeSpan.FromMinutes(3));

        Log($"reference run {reference.State}");
        Assert.Equal(RunState.Completed, resumed.State);
        Assert.Equal(RunState.Completed, reference.State);
        var lines = await ResultsReader.ReadJsonlAsync(journal);
        Assert.Equal(240, lines.Count);
        Assert.Equal(240, lines.Select(r => (r.Uid, r.SampleIndex)).Distinct().Count());
        var expected = await ResultsReader.ReadJsonlAsync(Path.Combine(reference.ResultsDirectory!, ResultsFolder.ResultsJsonlFile));
        Assert.Equal(
            expected.ToDictionary(r => (r.Uid, r.SampleIndex), r => r.ResponseText),
            lines.ToDictionary(r => (r.Uid, r.SampleIndex), r => r.ResponseText));
        Assert.Equal(reference.Metrics.OrderBy(m => m.Key), resumed.Metrics.OrderBy(m => m.Key));

        var metricsFile = await client.Http.GetAsync("api/runs/interrupted/files/metrics.json");
        Assert.Equal(HttpStatusCode.OK, metricsFile.StatusCode);
        Assert.Contains("val-core/openai/gsm8k/reward/mean@2", await metricsFile.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var journalDownload = await client.Http.GetStringAsync("api/runs/interrupted/files/results.jsonl");
        Assert.Equal(File.ReadAllText(journal), journalDownload);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync("api/runs/interrupted/files/..%2F..%2Fgrain-state")).StatusCode);
        Assert.Contains(await client.Http.GetFromJsonAsync<List<Contracts.Catalog.RunSummary>>("api/runs", GridApiClient.Json) ?? [], r => r.RunId == "interrupted");
    }

    public void Dispose() => _data.Dispose();
}
