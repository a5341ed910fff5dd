using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Grains.Runs;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Runs;

/// <summary>
/// Deleting runs and sweeps on the real in-process cluster: exactly the run's own folder goes, the lists forget it, the
/// id starts afresh; a run or sweep still in progress is refused with nothing changed.
/// </summary>
[Collection(GridClusterCollection.Name)]
public sealed class RunDeletionTests(GridClusterFixture fixture) : IDisposable
{
    private readonly TempDirectory _inputs = new("run-deletion");

    private ICatalogGrain Catalog => fixture.Client.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey);

    private string RunsFolder => Path.Combine(fixture.DataDirectory, "runs");

    [Fact]
    public async Task Deleting_a_finished_run_removes_exactly_its_folder_and_the_same_id_starts_afresh()
    {
        var id = $"delete-me-{Guid.NewGuid():N}";
        var keptId = $"keep-me-{Guid.NewGuid():N}";
        var deleted = await GridRuns.CompleteAsync(fixture.Client, id, GridRuns.Greedy(TinyChatModel.Folder, 2));
        var kept = await GridRuns.CompleteAsync(fixture.Client, keptId, GridRuns.Greedy(TinyChatModel.Folder, 2));
        var keptBefore = FolderSnapshot.Take(kept.ResultsDirectory!);
        var entriesBefore = Directory.GetFileSystemEntries(RunsFolder).Order(StringComparer.Ordinal).ToList();
        Assert.True(File.Exists(Path.Combine(deleted.ResultsDirectory!, "results.jsonl")));
        Assert.True(File.Exists(RunLease.PathFor(deleted.ResultsDirectory!)));

        Assert.True(await Run(id).DeleteAsync());

        Assert.False(Directory.Exists(deleted.ResultsDirectory));
        Assert.False(File.Exists(RunLease.PathFor(deleted.ResultsDirectory!)));
        Assert.Equal(entriesBefore.Where(e => e != deleted.ResultsDirectory && e != RunLease.PathFor(deleted.ResultsDirectory!)),
            Directory.GetFileSystemEntries(RunsFolder).Order(StringComparer.Ordinal));
        FolderSnapshot.AssertSame(keptBefore, FolderSnapshot.Take(kept.ResultsDirectory!));
        Assert.True(File.Exists(RunLease.PathFor(kept.ResultsDirectory!)));
        var runs = await Catalog.ListRunsAsync();
        Assert.DoesNotContain(runs, r => r.RunId == id);
        Assert.Contains(runs, r => r.RunId == keptId);
        Assert.Null((await Run(id).GetStatusAsync()).Spec);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Run(id).ReadResultsFileAsync("results.jsonl", 0, 1024));
        Assert.False(await Run(id).DeleteAsync());

        // Other settings under the same id: refused as "already exists with different settings" unless the run is gone.
        var again = await GridRuns.CompleteAsync(fixture.Client, id, GridRuns.Greedy(TinyChatModel.Folder, 3));
        Assert.True(again.CreatedAt > deleted.CreatedAt);
        Assert.Equal(0, again.Resumes);
        Assert.Equal(3, (await GridRuns.ResponsesAsync(again)).Count);
        Assert.Contains(await Catalog.ListRunsAsync(), r => r.RunId == id && r.CreatedAt == again.CreatedAt);
    }

    [Fact]
    public async Task Deleting_a_running_run_is_refused_and_changes_nothing()
    {
        var id = $"running-{Guid.NewGuid():N}";
        var run = Run(id);
        await run.StartAsync(GridRuns.Greedy(TinyChatModel.Folder, 400, maxTokens: 64));
        var running = await WaitAsync(run, s => s.State == RunState.Running && s.Progress.SamplesDone > 0);

        var refusal = await Assert.ThrowsAsync<InUseException>(run.DeleteAsync);

        Assert.Contains("cancel it first", refusal.Message, StringComparison.Ordinal);
        var after = await run.GetStatusAsync();
        Assert.Equal(RunState.Running, after.State);
        Assert.Equal(running.CreatedAt, after.CreatedAt);
        Assert.True(after.Progress.SamplesDone >= running.Progress.SamplesDone);
        Assert.True(File.Exists(Path.Combine(running.ResultsDirectory!, "results.jsonl")));
        Assert.Contains(await Catalog.ListRunsAsync(), r => r.RunId == id);

        // Deleted the moment it reads cancelled: the execution may still be letting go of its lease then.
        await run.CancelAsync();
        Assert.Equal(RunState.Cancelled, (await WaitAsync(run, s => s.State.IsFinished(), poll: TimeSpan.Zero)).State);
        Assert.True(await run.DeleteAsync());
        Assert.False(Directory.Exists(running.ResultsDirectory));
    }

    [Fact]
    public async Task A_sweep_in_progress_refuses_deleting_itself_and_its_finished_runs_then_goes_with_all_its_runs()
    {
        var runFolder = _inputs.Combine("verl-run");
        VerlRunFolderBuilder.Write(runFolder, steps: 2, firstScale: 0.5f);
        var sweepId = $"sweep-del-{Guid.NewGuid():N}";
        var sweep = fixture.Client.GetGrain<ISweepGrain>(sweepId);
        var started = await sweep.StartAsync(new SweepSpec([runFolder], GridRuns.Greedy("ignored", 120, maxTokens: 48), MaxConcurrentRuns: 1));
        var firstRun = Run(started.Rows[0].RunId);
        var first = await GridRuns.WaitFinishedAsync(firstRun);
        Assert.Equal(RunState.Completed, first.State);

        // The second run is queued or running now: the sweep, and so its finished first run, are still in progress.
        var runRefusal = await Assert.ThrowsAsync<InUseException>(firstRun.DeleteAsync);
        var sweepRefusal = await Assert.ThrowsAsync<InUseException>(sweep.DeleteAsync);

        Assert.Contains($"sweep '{sweepId}', which is still running", runRefusal.Message, StringComparison.Ordinal);
        Assert.Contains("cancel it first", sweepRefusal.Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists(first.ResultsDirectory));
        Assert.Equal(RunState.Completed, (await firstRun.GetStatusAsync()).State);
        Assert.Contains(await Catalog.ListSweepsAsync(), s => s.SweepId == sweepId);

        await sweep.CancelAsync();
        await WaitFinishedAsync(sweep);
        // Cancelled while still queued, the second run never started (and has no folder); cancelled as it started, it
        // may still be stopping when its sweep already counts it cancelled.
        var second = await Run(started.Rows[1].RunId).GetStatusAsync();
        if (second.Spec is not null)
        {
            second = await GridRuns.WaitFinishedAsync(Run(second.RunId));
        }

        Assert.True(await sweep.DeleteAsync());

        Assert.Null((await sweep.GetStatusAsync()).Spec);
        foreach (var row in started.Rows)
        {
            Assert.Null((await Run(row.RunId).GetStatusAsync()).Spec);
        }

        Assert.False(Directory.Exists(first.ResultsDirectory));
        Assert.False(Directory.Exists(Path.Combine(RunsFolder, VerlOrleans.Grains.Storage.FileGrainStorage.SafeFileName(started.Rows[1].RunId))));
        Assert.DoesNotContain(await Catalog.ListSweepsAsync(), s => s.SweepId == sweepId);
        Assert.DoesNotContain(await Catalog.ListRunsAsync(), r => r.SweepId == sweepId);
        Assert.True(Directory.Exists(runFolder), "the user's run folder is not the grid's to delete");
        Assert.False(await sweep.DeleteAsync());
    }

    [Fact]
    public async Task Unknown_runs_and_sweeps_are_not_found()
    {
        Assert.False(await Run($"never-{Guid.NewGuid():N}").DeleteAsync());
        Assert.False(await fixture.Client.GetGrain<ISweepGrain>($"never-{Guid.NewGuid():N}").DeleteAsync());
    }

    public void Dispose() => _inputs.Dispose();

    private IEvaluationRunGrain Run(string id) => fixture.Client.GetGrain<IEvaluationRunGrain>(id);

    private static async Task WaitFinishedAsync(ISweepGrain sweep)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!(await sweep.GetStatusAsync()).IsFinished)
        {
            Assert.True(DateTime.UtcNow < deadline, "the sweep did not finish");
            await Task.Delay(100);
        }
    }

    private static async Task<RunStatus> WaitAsync(IEvaluationRunGrain run, Func<RunStatus, bool> condition, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var status = await run.GetStatusAsync();
            if (condition(status))
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"run {status.RunId}: condition not reached ({status.State})");
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(50));
        }
    }
}
