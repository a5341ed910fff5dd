using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests.Api;

/// <summary>
/// DELETE on a real silo process: 204 and exactly the item's own files gone, 404 problem details for what does not
/// exist, 409 with the reason (and nothing changed) for what is still in progress; checkpoints by their path, encoded
/// as one segment or spelled as segments, the user's folders byte for byte untouched.
/// </summary>
public sealed class DeleteApiTests(SiloProcess silo) : IClassFixture<SiloProcess>, IDisposable
{
    private readonly GridApiClient _api = new(silo.BaseAddress);
    private readonly TempDirectory _inputs = new("delete-api");

    [Fact]
    public async Task A_finished_run_is_deleted_with_204_its_files_are_404_and_another_run_is_untouched()
    {
        var id = $"del-{Guid.NewGuid():N}";
        var otherId = $"other-{Guid.NewGuid():N}";
        await _api.StartRunAsync(GridRuns.Greedy(TinyChatModel.Folder, 2, maxTokens: 4), id);
        await _api.StartRunAsync(GridRuns.Greedy(TinyChatModel.Folder, 2, maxTokens: 4), otherId);
        var deleted = await _api.WaitAsync(id, s => s.State.IsFinished(), TimeSpan.FromMinutes(2));
        var other = await _api.WaitAsync(otherId, s => s.State.IsFinished(), TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, (await _api.Http.GetAsync($"api/runs/{id}/files/metrics.json")).StatusCode);
        var otherFiles = FolderSnapshot.Take(other.ResultsDirectory!);

        using var response = await _api.Http.DeleteAsync($"api/runs/{id}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(Directory.Exists(deleted.ResultsDirectory));
        Assert.False(File.Exists(deleted.ResultsDirectory + ".lease"));
        FolderSnapshot.AssertSame(otherFiles, FolderSnapshot.Take(other.ResultsDirectory!));
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Http.GetAsync($"api/runs/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Http.GetAsync($"api/runs/{id}/files/metrics.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Http.GetAsync($"api/runs/{id}/files/results.jsonl")).StatusCode);
        var runs = await RunsAsync();
        Assert.DoesNotContain(runs, r => r.RunId == id);
        Assert.Contains(runs, r => r.RunId == otherId);
        var (again, problem) = await DeleteAsync($"api/runs/{id}");
        Assert.Equal(HttpStatusCode.NotFound, again);
        Assert.Contains($"there is no run '{id}'", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        // Different settings under the same id are refused while the old run exists: accepted here, it starts afresh.
        await _api.StartRunAsync(GridRuns.Greedy(TinyChatModel.Folder, 3, maxTokens: 4), id);
        var fresh = await _api.WaitAsync(id, s => s.State.IsFinished(), TimeSpan.FromMinutes(2));
        Assert.Equal(RunState.Completed, fresh.State);
        Assert.Equal(3, fresh.Progress.SamplesTotal);
        Assert.True(fresh.CreatedAt > deleted.CreatedAt);
    }

    [Fact]
    public async Task A_running_run_is_409_with_the_reason_and_nothing_changes()
    {
        var id = $"busy-{Guid.NewGuid():N}";
        await _api.StartRunAsync(GridRuns.Greedy(TinyChatModel.Folder, 400, maxTokens: 64), id);
        var running = await _api.WaitAsync(id, s => s.State == RunState.Running && s.Progress.SamplesDone > 0, TimeSpan.FromMinutes(2));

        var (status, problem) = await DeleteAsync($"api/runs/{id}");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("cancel it first", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var after = await _api.GetRunAsync(id);
        Assert.Equal(RunState.Running, after.State);
        Assert.Equal(running.CreatedAt, after.CreatedAt);
        Assert.True(File.Exists(Path.Combine(running.ResultsDirectory!, "results.jsonl")));
        Assert.Contains(await RunsAsync(), r => r.RunId == id);

        Assert.True((await _api.Http.PostAsync($"api/runs/{id}/cancel", null)).IsSuccessStatusCode);
        await _api.WaitAsync(id, s => s.State.IsFinished(), TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.NoContent, (await DeleteAsync($"api/runs/{id}")).Status);
    }

    [Fact]
    public async Task A_sweep_is_409_while_running_and_204_with_all_its_runs_once_cancelled()
    {
        var id = $"sweep-{Guid.NewGuid():N}";
        var started = await _api.StartSweepAsync(new SweepSpec([TinyChatModel.Folder], GridRuns.Greedy("ignored", 400, maxTokens: 64)), id);
        var runId = Assert.Single(started.Rows).RunId;
        await _api.WaitAsync(runId, s => s.State == RunState.Running, TimeSpan.FromMinutes(2));

        var (busy, problem) = await DeleteAsync($"api/sweeps/{id}");
        Assert.Equal(HttpStatusCode.Conflict, busy);
        Assert.Contains("cancel it first", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await DeleteAsync($"api/runs/{runId}")).Status);

        Assert.True((await _api.Http.PostAsync($"api/sweeps/{id}/cancel", null)).IsSuccessStatusCode);
        var run = await _api.WaitAsync(runId, s => s.State.IsFinished(), TimeSpan.FromMinutes(2));
        await GridApiClient.PollAsync(() => _api.GetSweepAsync(id), s => s.IsFinished, TimeSpan.FromMinutes(1), "the sweep to finish");
        Assert.Equal(HttpStatusCode.NoContent, (await DeleteAsync($"api/sweeps/{id}")).Status);

        Assert.Equal(HttpStatusCode.NotFound, (await _api.Http.GetAsync($"api/sweeps/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Http.GetAsync($"api/runs/{runId}")).StatusCode);
        Assert.False(Directory.Exists(run.ResultsDirectory));
        Assert.DoesNotContain(await _api.Http.GetFromJsonAsync<List<SweepSummary>>("api/sweeps", GridApiClient.Json) ?? [], s => s.SweepId == id);
        Assert.DoesNotContain(await RunsAsync(), r => r.RunId == runId);
    }

    [Fact]
    public async Task A_merged_checkpoint_named_by_its_encoded_path_loses_only_the_grids_merge()
    {
        var actor = VerlRunFolderBuilder.Write(_inputs.Combine("verl run"), steps: 1, firstScale: 0.6f)[0];
        var shards = FolderSnapshot.Take(actor);
        var ready = await RegisterAsync(actor);
        Assert.Equal(Path.Combine(silo.DataDirectory, "models", ready.ContentHash!), ready.ModelPath);
        Assert.True(File.Exists(Path.Combine(ready.ModelPath!, "config.json")));

        var (status, _) = await DeleteAsync("api/checkpoints/" + Uri.EscapeDataString(ready.Path));

        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.False(Directory.Exists(ready.ModelPath));
        FolderSnapshot.AssertSame(shards, FolderSnapshot.Take(actor));
        Assert.DoesNotContain(await CheckpointsAsync(), c => c.Path == ready.Path);
        Assert.Equal(HttpStatusCode.NotFound, (await DeleteAsync("api/checkpoints/" + Uri.EscapeDataString(ready.Path))).Status);
    }

    [Fact]
    public async Task A_hugging_face_folder_named_by_its_path_segments_is_only_unregistered()
    {
        var folder = _inputs.Combine("my model 100%");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(TinyChatModel.Folder))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        var before = FolderSnapshot.Take(folder);
        var ready = await RegisterAsync(folder);
        Assert.Equal(folder, ready.ModelPath);
        var segments = string.Join('/', ready.Path.TrimStart('/').Split('/').Select(Uri.EscapeDataString));

        var (status, _) = await DeleteAsync("api/checkpoints/" + segments);

        Assert.Equal(HttpStatusCode.NoContent, status);
        FolderSnapshot.AssertSame(before, FolderSnapshot.Take(folder));
        Assert.DoesNotContain(await CheckpointsAsync(), c => c.Path == ready.Path);
    }

    [Theory]
    [InlineData("api/runs/no-such-run", "there is no run 'no-such-run'")]
    [InlineData("api/runs/bad%20id", "is not a run id")]
    [InlineData("api/sweeps/no-such-sweep", "there is no sweep 'no-such-sweep'")]
    [InlineData("api/sweeps/bad%24id", "is not a sweep id")]
    [InlineData("api/checkpoints/%2Fno%2Fsuch%2Fcheckpoint", "there is no checkpoint '/no/such/checkpoint'")]
    [InlineData("api/checkpoints/", "is not a checkpoint path")]
    public async Task What_does_not_exist_is_404_problem_details(string url, string detail)
    {
        var (status, problem) = await DeleteAsync(url);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(404, problem["status"]!.GetValue<int>());
        Assert.Contains(detail, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _api.Dispose();
        _inputs.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonObject Problem)> DeleteAsync(string url)
    {
        using var response = await _api.Http.DeleteAsync(url);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return (response.StatusCode, []);
        }

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    private async Task<CheckpointStatus> RegisterAsync(string path)
    {
        var response = await _api.Http.PostAsJsonAsync("api/checkpoints", new { path }, GridApiClient.Json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var key = Assert.Single((await response.Content.ReadFromJsonAsync<List<CheckpointStatus>>(GridApiClient.Json))!).Path;
        var all = await GridApiClient.PollAsync(CheckpointsAsync, list => list.Any(c => c.Path == key && c.IsSettled), TimeSpan.FromMinutes(1), $"{key} to settle");
        var ready = all.Single(c => c.Path == key);
        Assert.Equal(CheckpointState.Ready, ready.State);
        return ready;
    }

    private async Task<IReadOnlyList<CheckpointStatus>> CheckpointsAsync() =>
        (await _api.Http.GetFromJsonAsync<List<CheckpointStatus>>("api/checkpoints", GridApiClient.Json))!;

    private async Task<IReadOnlyList<RunSummary>> RunsAsync() =>
        (await _api.Http.GetFromJsonAsync<List<RunSummary>>("api/runs", GridApiClient.Json))!;
}
