using System.Net;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests.Grid;

/// <summary>
/// <c>delete</c> against a real silo process: a finished run or sweep goes (exit 0) and the grid no longer knows it; a
/// running run is refused (exit 1, "cancel it first") and keeps running; an unknown or invalid id is exit 2.
/// </summary>
[Collection(GridSiloCollection.Name)]
public sealed class DeleteCommandTests(SiloProcess silo)
{
    private static readonly string[] Small = ["--data", VerlData.Gsm8k, "--max-samples", "2", "--max-response-length", "4", "--max-prompt-length", "512", "--truncation", "left"];

    [Fact]
    public async Task Delete_removes_a_finished_run_refuses_a_running_one_and_knows_no_unknown_id()
    {
        var submit = await GridCli.RunAsync(silo, ["submit", "--checkpoint", TinyChatModel.Folder, .. Small]);
        Assert.True(submit.ExitCode == 0, submit.Error);
        var runId = GridCli.LastLine(submit.Output);
        var finished = await GridCli.WaitForAsync(silo, runId, s => s.State.IsFinished(), TimeSpan.FromMinutes(3));
        var busySubmit = await GridCli.RunAsync(silo, ["submit", "--checkpoint", TinyChatModel.Folder, "--data", VerlData.Gsm8k, "--max-samples", "400",
            "--max-response-length", "64", "--max-prompt-length", "512", "--truncation", "left"]);
        Assert.True(busySubmit.ExitCode == 0, busySubmit.Error);
        var busyId = GridCli.LastLine(busySubmit.Output);
        await GridCli.WaitForAsync(silo, busyId, s => s.State == RunState.Running, TimeSpan.FromMinutes(3));

        var deleted = await GridCli.RunAsync(silo, ["delete", runId]);
        var again = await GridCli.RunAsync(silo, ["delete", runId]);
        var refused = await GridCli.RunAsync(silo, ["delete", busyId]);
        var invalid = await GridCli.RunAsync(silo, ["delete", "not an id"]);

        Assert.True(deleted.ExitCode == 0, deleted.Error);
        Assert.Contains($"run {runId} deleted", deleted.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, await HttpStatusOfAsync($"api/runs/{runId}"));
        Assert.False(Directory.Exists(finished.ResultsDirectory));
        Assert.Equal(2, again.ExitCode);
        Assert.Contains($"no run or sweep '{runId}'", again.Error, StringComparison.Ordinal);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("cancel it first", refused.Error, StringComparison.Ordinal);
        Assert.False((await GridCli.HttpStatusAsync(silo, busyId)).State.IsFinished());
        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("is not a run or sweep id", invalid.Error, StringComparison.Ordinal);

        Assert.Equal(0, (await GridCli.RunAsync(silo, ["cancel", busyId])).ExitCode);
        var afterCancel = await GridCli.RunAsync(silo, ["delete", busyId]);
        Assert.True(afterCancel.ExitCode == 0, afterCancel.Error);
    }

    [Fact]
    public async Task Delete_removes_a_finished_sweep_with_its_runs()
    {
        var actor = Path.Combine(RepositoryPaths.Root, "tests", "Fixtures", "tiny-chat-actor");
        var submit = await GridCli.RunAsync(silo, ["submit", "--checkpoint", TinyChatModel.Folder, actor, .. Small]);
        Assert.True(submit.ExitCode == 0, submit.Error);
        var sweepId = GridCli.LastLine(submit.Output);
        string[] runIds = [$"{sweepId}-001", $"{sweepId}-002"];
        foreach (var runId in runIds)
        {
            await GridCli.WaitForAsync(silo, runId, s => s.State.IsFinished(), TimeSpan.FromMinutes(3));
        }

        // At once, as a user who just saw every run finish would: the sweep's own rows may still lag behind the runs.
        var deleted = await GridCli.RunAsync(silo, ["delete", sweepId]);

        Assert.True(deleted.ExitCode == 0, deleted.Error);
        Assert.Contains($"sweep {sweepId} deleted with its runs", deleted.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, await HttpStatusOfAsync($"api/sweeps/{sweepId}"));
        foreach (var runId in runIds)
        {
            Assert.Equal(HttpStatusCode.NotFound, await HttpStatusOfAsync($"api/runs/{runId}"));
        }

        var runs = await GridCli.RunAsync(silo, ["runs", "--json"]);
        Assert.DoesNotContain(sweepId, runs.Output, StringComparison.Ordinal);
    }

    private async Task<HttpStatusCode> HttpStatusOfAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        using var response = await http.GetAsync(path);
        return response.StatusCode;
    }
}
