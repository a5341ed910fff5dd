using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Dashboard.Live;

namespace VerlOrleans.Dashboard.Tests.Live;

/// <summary>A sweep's progress bar: queued runs count as nothing, finished ones whole, whatever the sizes of the started runs.</summary>
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
}
