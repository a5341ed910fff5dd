using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Dashboard.Live;

namespace VerlOrleans.Dashboard.Tests.Live;

/// <summary>
/// A sweep's progress bar: queued runs count as nothing, finished ones whole, whatever the sizes of the started runs.
/// Deletions in an update take entries out; an entry deleted and added again in one update stays.
/// </summary>
public sealed class CatalogViewTests
{
    [Fact]
    public void A_sweep_of_eight_with_two_finished_and_one_half_done_is_five_sixteenths_through()
    {
        var sweep = new SweepSummary("s", Checkpoints: 8, Finished: false, DateTimeOffset.UnixEpoch, RunsFinished: 2);
        RunSummary Run(string id, RunState state, int done, int total) =>
            new(id, "ckpt", 1, state, "s", DateTimeOffset.UnixEpoch, new RunProgress { SamplesDone = done, SamplesTotal = total });
        var runs = new[] { Run("s-001", RunState.Completed, 256, 256), Run("s-002", RunState.Failed, 10, 256), Run("s-003", RunState.Running, 128, 256), Run("other", RunState.Running, 1, 2) with { SweepId = null } };
        var view = new CatalogView(runs.ToDictionary(r => r.RunId), new Dictionary<string, SweepSummary> { ["s"] = sweep },
            new Dictionary<string, CheckpointStatus>(), new Dictionary<string, ModelStatus>());

        Assert.Equal(2.5 / 8, view.SweepFraction(sweep), 12);
        Assert.Equal(1, view.SweepFraction(sweep with { Finished = true }));
    }

    [Fact]
    public void Deletions_remove_runs_sweeps_and_checkpoints_and_a_run_added_again_in_the_same_update_stays()
    {
        RunSummary Run(string id) => new(id, "ckpt", null, RunState.Completed, null, DateTimeOffset.UnixEpoch);
        var checkpoint = new CheckpointStatus("/c", "hugging-face", null, null, CheckpointState.Ready, null, null, "/c", "h", null, DateTimeOffset.UnixEpoch);
        var view = CatalogView.Empty.Apply(new CatalogUpdate
        {
            IsSnapshot = true,
            Runs = [Run("gone"), Run("back"), Run("kept")],
            Sweeps = [new SweepSummary("s", 1, true, DateTimeOffset.UnixEpoch)],
            Checkpoints = [checkpoint],
        });

        var after = view.Apply(new CatalogUpdate { Runs = [Run("back")], DeletedRuns = ["gone", "back"], DeletedSweeps = ["s"], DeletedCheckpoints = ["/c"] });

        Assert.Equal(["back", "kept"], after.Runs.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(after.Sweeps);
        Assert.Empty(after.Checkpoints);
        Assert.Equal(3, view.Runs.Count);
    }
}
