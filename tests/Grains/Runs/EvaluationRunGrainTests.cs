using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Runs;

/// <summary>
/// Evaluation runs on a real in-process cluster with the real engine and the committed tiny chat model: shared warm
/// models, batching across runs, cancellation and bad checkpoints isolated to their own run.
/// </summary>
[Collection(GridClusterCollection.Name)]
public sealed class EvaluationRunGrainTests(GridClusterFixture fixture) : IDisposable
{
    private readonly TempDirectory _inputs = new("run-grain");

    private IEvaluationRunGrain Run(string id) => fixture.Client.GetGrain<IEvaluationRunGrain>(id);

    [Fact]
    public async Task Two_runs_on_one_checkpoint_share_one_warm_model_batch_together_and_equal_runs_done_alone()
    {
        var checkpoint = TinyChatModel.Folder;
        var warmup = await GridRuns.WaitFinishedAsync(await StartAsync("share-warmup", GridRuns.Greedy(checkpoint, 1)));
        var model = fixture.Client.GetGrain<IModelGrain>(warmup.ModelKey!);
        await model.UnloadAsync(); // a fresh engine, so its batch metrics belong to this test

        var spec = GridRuns.Greedy(checkpoint, 24, maxTokens: 48);
        var first = await StartAsync("share-a", spec);
        var second = await StartAsync("share-b", spec);
        var a = await GridRuns.WaitFinishedAsync(first);
        var b = await GridRuns.WaitFinishedAsync(second);
        var status = await model.GetStatusAsync();
        var alone = await GridRuns.WaitFinishedAsync(await StartAsync("share-alone", spec));

        Assert.All(new[] { a, b, alone }, r => Assert.Equal(RunState.Completed, r.State));
        Assert.Equal(a.ModelKey, b.ModelKey);
        Assert.Single(await fixture.Client.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey).ListModelsAsync(), m => m.Key == a.ModelKey);
        Assert.True(status.MaxStepCallers >= 2, $"the two runs never shared an engine step (max callers per step: {status.MaxStepCallers})");
        var expected = await GridRuns.ResponsesAsync(alone);
        Assert.Equal(24, expected.Count);
        Assert.Equal(expected, await GridRuns.ResponsesAsync(a));
        Assert.Equal(expected, await GridRuns.ResponsesAsync(b));
        Assert.Contains("val-core/openai/gsm8k/reward/mean@1", a.Metrics.Keys);
        Assert.Equal(24, a.Progress.SamplesDone);
    }

    [Fact]
    public async Task Cancel_stops_only_that_run()
    {
        var slow = await StartAsync("cancel-me", GridRuns.Greedy(TinyChatModel.Folder, 200, maxTokens: 64));
        var other = await StartAsync("keep-going", GridRuns.Greedy(TinyChatModel.Folder, 6));
        await WaitAsync(slow, s => s.Progress.SamplesDone > 0);

        var cancelled = await slow.CancelAsync();
        var finished = await GridRuns.WaitFinishedAsync(slow);
        var completed = await GridRuns.WaitFinishedAsync(other);

        Assert.Equal(RunState.Cancelled, finished.State);
        Assert.True(finished.Progress.SamplesDone < 200, $"{finished.Progress.SamplesDone} samples: the run was not stopped");
        Assert.Equal(RunState.Completed, completed.State);
        Assert.NotNull(cancelled);
    }

    [Fact]
    public async Task A_bad_checkpoint_fails_its_run_with_the_validation_report_while_another_run_completes()
    {
        var broken = VerlRunFolderBuilder.Write(_inputs.Combine("broken-run"), steps: 1)[0];
        File.Delete(Path.Combine(broken, "model_world_size_2_rank_1.pt"));
        var bad = await StartAsync("bad-checkpoint", GridRuns.Greedy(broken, 4));
        var good = await StartAsync("good-beside-bad", GridRuns.Greedy(TinyChatModel.Folder, 4));

        var failed = await GridRuns.WaitFinishedAsync(bad);
        var completed = await GridRuns.WaitFinishedAsync(good);

        Assert.Equal(RunState.Failed, failed.State);
        Assert.Contains("checkpoint is invalid", failed.Error, StringComparison.Ordinal);
        Assert.Contains("rank 1", failed.Error, StringComparison.Ordinal);
        Assert.Equal(RunState.Completed, completed.State);
    }

    [Theory]
    [InlineData("critic", "torch-1.13/critic/score-w2")]
    [InlineData("megatron-critic", "megatron/critic-tp2-pp2/global_step_1/critic")]
    public async Task A_critic_checkpoint_fails_its_run_as_a_value_model(string name, string fixture)
    {
        var critic = Checkpoints.CheckpointFixtures.CopyTo(_inputs, fixture);

        var failed = await GridRuns.WaitFinishedAsync(await StartAsync(name, GridRuns.Greedy(critic, 2)));

        Assert.Equal(RunState.Failed, failed.State);
        Assert.StartsWith("value model: it scores, it does not generate (score.weight [1, 16], no lm_head.weight)", failed.Error, StringComparison.Ordinal);
        Assert.Null(failed.ModelKey);
    }

    [Fact]
    public async Task Starting_an_existing_run_again_is_idempotent_but_different_settings_are_refused()
    {
        var spec = GridRuns.Greedy(TinyChatModel.Folder, 2);
        var run = await StartAsync("idempotent", spec);
        var again = await run.StartAsync(spec with { DataFiles = [.. spec.DataFiles] });

        Assert.StartsWith("idempotent-", again.RunId, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => run.StartAsync(spec with { MaxSamples = 3 }));
        Assert.Equal(RunState.Completed, (await GridRuns.WaitFinishedAsync(run)).State);
    }

    public void Dispose() => _inputs.Dispose();

    private async Task<IEvaluationRunGrain> StartAsync(string id, RunSpec spec)
    {
        var run = Run($"{id}-{Guid.NewGuid():N}");
        await run.StartAsync(spec);
        return run;
    }

    private static async Task WaitAsync(IEvaluationRunGrain run, Func<RunStatus, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!condition(await run.GetStatusAsync()))
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached");
            await Task.Delay(50);
        }
    }
}
