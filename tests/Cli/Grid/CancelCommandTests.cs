using VerlOrleans.Contracts.Runs;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests.Grid;

/// <summary><c>cancel</c> stops a run in the middle (what it wrote stays downloadable), and every run of a sweep of several checkpoints.</summary>
[Collection(GridSiloCollection.Name)]
public sealed class CancelCommandTests(SiloProcess silo) : IDisposable
{
    private readonly TempDirectory _temp = new("cli-cancel");

    [Fact]
    public async Task Cancel_stops_a_running_run_and_its_partial_results_stay_downloadable()
    {
        var submit = await GridCli.RunAsync(silo, ["submit", "--checkpoint", TinyChatModel.Folder, "--data", VerlData.Gsm8k, "--max-samples", "400",
            "--max-response-length", "64", "--batch-size", "4", "--max-prompt-length", "512", "--truncation", "left"]);
        Assert.True(submit.ExitCode == 0, submit.Error);
        var runId = GridCli.LastLine(submit.Output);
        await GridCli.WaitForAsync(silo, runId, s => s.Progress.SamplesDone >= 1, TimeSpan.FromMinutes(3));

        var cancel = await GridCli.RunAsync(silo, ["cancel", runId]);
        var watch = await GridCli.RunAsync(silo, ["watch", runId]);
        var download = _temp.Combine("partial");
        var results = await GridCli.RunAsync(silo, ["results", runId, "--out", download]);

        Assert.True(cancel.ExitCode == 0, cancel.Error);
        Assert.Contains($"run {runId}: cancelled", cancel.Output, StringComparison.Ordinal);
        var status = await GridCli.HttpStatusAsync(silo, runId);
        Assert.Equal(RunState.Cancelled, status.State);
        Assert.InRange(status.Progress.SamplesDone, 1, 399);
        Assert.Equal(1, watch.ExitCode);
        Assert.Contains($"run {runId} cancelled", watch.Error, StringComparison.Ordinal);
        Assert.Equal(1, results.ExitCode);
        Assert.Contains($"run {runId} is cancelled and has no", results.Error, StringComparison.Ordinal);
        Assert.Contains(ResultsFolder.MetricsFile, results.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(download, ResultsFolder.MetricsFile)));
        var journal = await ResultsReader.ReadJsonlAsync(Path.Combine(download, ResultsFolder.ResultsJsonlFile), dropTornLastLine: true);
        Assert.InRange(journal.Count, 1, 399);
        Assert.Empty(Directory.GetFiles(download, "*.partial"));

        var again = await GridCli.RunAsync(silo, ["cancel", runId]);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("had already cancelled; nothing to cancel", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_checkpoints_are_one_sweep_and_cancel_stops_all_its_runs()
    {
        var actor = Path.Combine(RepositoryPaths.Root, "tests", "Fixtures", "tiny-chat-actor");
        var submit = await GridCli.RunAsync(silo, ["submit", "--checkpoint", TinyChatModel.Folder, actor, "--data", VerlData.Gsm8k, "--max-samples", "400",
            "--max-response-length", "64", "--max-prompt-length", "512", "--truncation", "left"]);
        Assert.True(submit.ExitCode == 0, submit.Error);
        var sweepId = GridCli.LastLine(submit.Output);
        Assert.StartsWith("sweep-", sweepId, StringComparison.Ordinal);
        await GridCli.WaitForAsync(silo, $"{sweepId}-001", s => s.State == RunState.Running, TimeSpan.FromMinutes(3));

        var cancel = await GridCli.RunAsync(silo, ["cancel", sweepId]);
        var watch = await GridCli.RunAsync(silo, ["watch", sweepId]);

        Assert.True(cancel.ExitCode == 0, cancel.Error);
        Assert.Equal(2, cancel.Output.Split('\n').Count(l => l.Contains("cancelled", StringComparison.Ordinal)));
        Assert.Equal(1, watch.ExitCode);
        Assert.Contains($"sweep {sweepId}: 2 of 2 runs did not complete", watch.Error, StringComparison.Ordinal);
        foreach (var runId in new[] { $"{sweepId}-001", $"{sweepId}-002" })
        {
            Assert.Equal(RunState.Cancelled, (await GridCli.HttpStatusAsync(silo, runId)).State);
        }
    }

    public void Dispose() => _temp.Dispose();
}
