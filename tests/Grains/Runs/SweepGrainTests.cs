using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Runs;

/// <summary>Sweeps over a verl run folder; and many concurrent runs on one model without a lost sample.</summary>
[Collection(GridClusterCollection.Name)]
public sealed class SweepGrainTests(GridClusterFixture fixture) : IDisposable
{
    private readonly TempDirectory _inputs = new("sweep-grain");

    [Fact]
    public async Task A_sweep_over_a_verl_run_folder_validates_merges_and_evaluates_every_step_into_one_table()
    {
        var runFolder = _inputs.Combine("verl-run");
        VerlRunFolderBuilder.Write(runFolder, steps: 3);
        var sweep = fixture.Client.GetGrain<ISweepGrain>($"sweep-{Guid.NewGuid():N}");

        var started = await sweep.StartAsync(new SweepSpec([runFolder], GridRuns.Greedy("ignored", 4), MaxConcurrentRuns: 2));
        var table = await WaitFinishedAsync(sweep);

        Assert.Equal(3, started.Rows.Count);
        Assert.Equal([1L, 2L, 3L], table.Rows.Select(r => r.Step!.Value));
        Assert.All(table.Rows, row =>
        {
            Assert.Equal(RunState.Completed, row.State);
            Assert.Contains("val-core/openai/gsm8k/reward/mean@1", row.Metrics.Keys);
        });
        var runs = await Task.WhenAll(table.Rows.Select(r => fixture.Client.GetGrain<IEvaluationRunGrain>(r.RunId).GetStatusAsync()));
        Assert.Equal(3, runs.Select(r => r.ModelKey).Distinct().Count());
    }

    [Fact]
    public async Task Eight_concurrent_runs_of_two_hundred_prompts_on_one_model_lose_no_sample()
    {
        var spec = GridRuns.Greedy(TinyChatModel.Folder, 200, maxTokens: 4) with { BatchSize = 16 };
        var runs = Enumerable.Range(0, 8).Select(i => fixture.Client.GetGrain<IEvaluationRunGrain>($"load-{i}-{Guid.NewGuid():N}")).ToList();

        await Task.WhenAll(runs.Select(r => r.StartAsync(spec)));
        var finished = await Task.WhenAll(runs.Select(r => GridRuns.WaitFinishedAsync(r, TimeSpan.FromMinutes(8))));

        Assert.All(finished, status => Assert.Equal(RunState.Completed, status.State));
        var responses = await Task.WhenAll(finished.Select(GridRuns.ResponsesAsync));
        Assert.All(responses, r => Assert.Equal(200, r.Count));
        Assert.All(responses, r => Assert.Equal(responses[0], r));
        Assert.Single(finished.Select(f => f.ModelKey).Distinct());
    }

    public void Dispose() => _inputs.Dispose();

    private static async Task<SweepStatus> WaitFinishedAsync(ISweepGrain sweep)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (true)
        {
            var status = await sweep.GetStatusAsync();
            if (status.IsFinished)
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"sweep unfinished: {string.Join(", ", status.Rows.Select(r => $"{r.Step}:{r.State}"))}");
            await Task.Delay(200);
        }
    }
}
