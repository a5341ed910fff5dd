using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests.Api;

/// <summary>
/// Imports and the results cache on a real silo process: a validation-dump folder becomes a sweep of completed runs (one
/// per step, verl's metrics, marked imported, in the runs list), a generation parquet a run; bad paths are refused with
/// problem details naming the field; an evaluation submitted again is answered from the finished run.
/// </summary>
public sealed class ImportApiTests : IAsyncLifetime
{
    private static readonly string Fixtures = Path.Combine(RepositoryPaths.Root, "tests", "Evaluation", "Imports", "Fixtures");
    private readonly TempDirectory _data = new("import-api");
    private readonly SiloProcess _silo;
    private GridApiClient _api = null!;

    public ImportApiTests()
    {
        _silo = new SiloProcess { DataRoots = [_data.Path, .. RepositoryPaths.TestRoots] };
        _silo.Settings["VERLORLEANS__RESULTSCACHE"] = "true";
    }

    public async Task InitializeAsync()
    {
        await _silo.InitializeAsync();
        _api = new GridApiClient(_silo.BaseAddress);
        Directory.CreateDirectory(_data.Combine("val"));
        foreach (var file in Directory.GetFiles(Path.Combine(Fixtures, "val_dumps")))
        {
            File.Copy(file, _data.Combine("val", Path.GetFileName(file)));
        }

        File.Copy(Path.Combine(Fixtures, "generation", "gsm8k_responses.parquet"), _data.Combine("generated.parquet"));
        File.Copy(Path.Combine(Fixtures, "bad_dump", "7.jsonl"), _data.Combine("7.jsonl"));
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _silo.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_validation_dump_folder_becomes_a_sweep_of_imported_runs_with_verls_metrics_per_step()
    {
        using var response = await _api.Http.PostAsJsonAsync("api/imports", new { path = _data.Combine("val"), id = "val-import", dataSource = "openai/gsm8k" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("/api/sweeps/val-import", response.Headers.Location!.OriginalString);

        var sweep = await GridApiClient.PollAsync(() => _api.GetSweepAsync("val-import"), s => s.IsFinished, TimeSpan.FromMinutes(1), "the import sweep to finish");
        Assert.Equal([0L, 40L, 80L], sweep.Rows.Select(r => r.Step!.Value));
        Assert.All(sweep.Rows, r => Assert.Equal(RunState.Completed, r.State));
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "val_dumps_expected.json")))!;
        foreach (var row in sweep.Rows.Take(2))
        {
            Assert.Equal(expected[row.Step!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)]!["val-core/openai/gsm8k/reward/mean@2"]!.GetValue<double>(),
                row.Metrics["val-core/openai/gsm8k/reward/mean@2"], 12);
        }

        // The run at step 80 says how many scores differ from verl's, and its import report names the line.
        var last = await _api.GetRunAsync(sweep.Rows[2].RunId);
        Assert.Equal((1L, 0L), (last.ImportDisagreements, last.ImportRejected));
        Assert.NotNull(last.Spec!.Import);
        var report = JsonNode.Parse(await _api.Http.GetStringAsync($"api/runs/{last.RunId}/files/import_report.json"))!;
        Assert.Equal("line 1", report["disagreements"]![0]!["where"]!.GetValue<string>());

        // They are runs like any other: in the runs list, with their samples.
        var listed = await _api.Http.GetFromJsonAsync<List<JsonElement>>("api/runs", GridApiClient.Json);
        Assert.Equal(3, listed!.Count(r => r.GetProperty("sweepId").GetString() == "val-import"));
        var samples = await _api.Http.GetStringAsync($"api/runs/{last.RunId}/files/results.jsonl");
        Assert.Equal(12, samples.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task A_generation_parquet_and_a_dump_with_bad_lines_each_become_a_run()
    {
        using var parquet = await _api.Http.PostAsJsonAsync("api/imports", new { path = _data.Combine("generated.parquet"), id = "gen-import" });
        Assert.Equal(HttpStatusCode.Accepted, parquet.StatusCode);
        var run = await _api.WaitAsync("gen-import", s => s.State.IsFinished(), TimeSpan.FromMinutes(1));
        Assert.Equal(RunState.Completed, run.State);
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "generation_expected.json")))!;
        Assert.Equal(expected["test_score/openai/gsm8k"]!.GetValue<double>(), run.Metrics["val-core/openai/gsm8k/reward/mean@3"], 12);

        using var bad = await _api.Http.PostAsJsonAsync("api/imports", new { path = _data.Combine("7.jsonl"), id = "bad-import" });
        var badRun = await _api.WaitAsync("bad-import", s => s.State.IsFinished(), TimeSpan.FromMinutes(1));
        Assert.Equal((RunState.Completed, 5L, 7L), (badRun.State, badRun.ImportRejected!.Value, badRun.Step!.Value));
        Assert.Equal(3, badRun.Progress.SamplesDone);
    }

    [Fact]
    public async Task Bad_import_paths_are_refused_with_problem_details_naming_the_field()
    {
        File.WriteAllText(_data.Combine("notes.txt"), "x");
        Directory.CreateDirectory(_data.Combine("no-dumps"));
        foreach (var (body, status, message) in new (object Body, HttpStatusCode Status, string Message)[]
        {
            (new { path = "/etc" }, HttpStatusCode.Forbidden, "outside"),
            (new { path = "relative/val" }, HttpStatusCode.BadRequest, "must be an absolute path"),
            (new { path = _data.Combine("missing") }, HttpStatusCode.BadRequest, "does not exist"),
            (new { path = _data.Combine("no-dumps") }, HttpStatusCode.UnprocessableEntity, "holds no validation dumps"),
            (new { path = _data.Combine("notes.txt") }, HttpStatusCode.UnprocessableEntity, "not one of verl's sample outputs"),
            (new { path = _data.Combine("val"), dataSource = "" }, HttpStatusCode.BadRequest, "dataSource"),
            (new { path = _data.Combine("val"), id = "bad id!" }, HttpStatusCode.BadRequest, "is not an id"),
        })
        {
            using var response = await _api.Http.PostAsJsonAsync("api/imports", body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status == response.StatusCode, $"{JsonSerializer.Serialize(body)}: {(int)response.StatusCode} {text}");
            Assert.Contains(message, text, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_evaluation_submitted_again_is_answered_from_the_finished_run_and_its_manifest_says_which()
    {
        var spec = GridRuns.Greedy(TinyChatModel.Folder, 3, maxTokens: 5);
        await _api.StartRunAsync(spec, "cache-first");
        var first = await _api.WaitAsync("cache-first", s => s.State.IsFinished(), TimeSpan.FromMinutes(2));
        Assert.Equal(RunState.Completed, first.State);
        Assert.Null(first.ReusedFrom);

        await _api.StartRunAsync(spec, "cache-second");
        var second = await _api.WaitAsync("cache-second", s => s.State.IsFinished(), TimeSpan.FromMinutes(1));

        Assert.Equal((RunState.Completed, "cache-first"), (second.State, second.ReusedFrom));
        Assert.Equal(first.Metrics, second.Metrics);
        Assert.Equal(3, second.Progress.SamplesDone);
        Assert.Equal(await _api.Http.GetStringAsync("api/runs/cache-first/files/results.jsonl"), await _api.Http.GetStringAsync("api/runs/cache-second/files/results.jsonl"));
        var manifest = JsonNode.Parse(await _api.Http.GetStringAsync("api/runs/cache-second/files/manifest.json"))!;
        Assert.Equal("cache-first", manifest["reused_from"]!["run_id"]!.GetValue<string>());

        // Deleted, it answers nothing: the same evaluation generates again.
        Assert.Equal(HttpStatusCode.NoContent, (await _api.Http.DeleteAsync("api/runs/cache-first")).StatusCode);
        await _api.StartRunAsync(spec, "cache-third");
        var third = await _api.WaitAsync("cache-third", s => s.State.IsFinished(), TimeSpan.FromMinutes(2));
        Assert.Equal((RunState.Completed, (string?)null), (third.State, third.ReusedFrom));
    }
}
