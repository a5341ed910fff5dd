using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Dashboard.Analysis;

namespace VerlOrleans.Dashboard.Tests.Analysis;

/// <summary>The sweep chart's series: a point per finished step and data source, a provisional one per running run.</summary>
public sealed class SweepChartTests
{
    [Fact]
    public void Finished_runs_give_points_by_step_and_a_running_run_its_running_mean()
    {
        var sweep = new SweepStatus
        {
            SweepId = "s",
            Rows =
            [
                Row(300, RunState.Running, new() { ["a/x"] = 0.7, ["b"] = 0.2 }, []),
                Row(100, RunState.Completed, new() { ["a/x"] = 0.1, ["b"] = 0.0 }, new() { ["val-core/a/x/reward/mean@1"] = 0.1, ["val-core/b/reward/mean@1"] = 0.0, ["val-aux/b/reward/std@1"] = 0.3 }),
                Row(200, RunState.Completed, new() { ["a/x"] = 0.5, ["b"] = 0.25 }, new() { ["val-core/a/x/reward/mean@1"] = 0.5, ["val-core/b/reward/mean@1"] = 0.25 }),
                Row(400, RunState.Failed, new(), new()),
            ],
        };

        Assert.Equal(["a/x", "b"], SweepChart.DataSources(sweep));
        Assert.Equal(["val-core/reward/mean@1", "val-aux/reward/std@1"], SweepChart.Families(sweep));
        var series = SweepChart.Build(sweep, "val-core/reward/mean@1");

        Assert.Equal(["a/x", "b"], series.Select(s => s.DataSource));
        Assert.Equal([100.0, 200.0], series[0].Finished.Select(p => p.Step));
        Assert.Equal([0.1, 0.5], series[0].Finished.Select(p => p.Value));
        Assert.Equal((300.0, 0.7), (series[0].Running.Single().Step, series[0].Running.Single().Value));
        Assert.Equal("run/step_100", series[0].Finished[0].Checkpoint);

        // Another family has no running estimate: the running run adds nothing.
        var std = SweepChart.Build(sweep, "val-aux/reward/std@1");
        Assert.Equal((100.0, 0.3), (std.Single().Finished.Single().Step, std.Single().Finished.Single().Value));
        Assert.Empty(std.Single().Running);
        Assert.Equal(0.25, SweepChart.Value(sweep.Rows[2], "val-core/reward/mean@1", "b", ["a/x", "b"]));
    }

    private static SweepRow Row(long step, RunState state, Dictionary<string, double> means, Dictionary<string, double> metrics) => new()
    {
        Checkpoint = $"/ckpts/run/global_step_{step}/actor",
        Step = step,
        RunId = $"r{step}",
        State = state,
        MeanScores = means,
        Metrics = metrics,
    };
}
