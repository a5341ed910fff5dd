using System.Collections.Concurrent;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Runs;

/// <summary>Live run updates reach a subscribed client observer, batched to at most four a second, ending with the final status.</summary>
[Collection(GridClusterCollection.Name)]
public sealed class RunObserverTests(GridClusterFixture fixture)
{
    [Fact]
    public async Task An_observer_gets_batched_progress_and_the_final_status()
    {
        var watcher = new Watcher();
        var reference = fixture.Client.CreateObjectReference<IRunObserver>(watcher);
        var run = fixture.Client.GetGrain<IEvaluationRunGrain>($"observed-{Guid.NewGuid():N}");
        await run.SubscribeAsync(reference);

        await run.StartAsync(GridRuns.Greedy(TinyChatModel.Folder, 60, maxTokens: 32));
        var finished = await GridRuns.WaitFinishedAsync(run);
        var last = await watcher.WaitForAsync(s => s.State.IsFinished());
        await run.UnsubscribeAsync(reference);

        Assert.Equal(RunState.Completed, finished.State);
        Assert.Equal(RunState.Completed, last.State);
        Assert.Equal(60, last.Progress.SamplesDone);
        var times = watcher.Received.Select(r => r.At).Order().ToList();
        Assert.True(times.Count >= 2, $"only {times.Count} updates");
        // The grain publishes on a 250 ms timer: four a second, and a fifth in a one-second window when a tick or a
        // delivery is late and the next is on time. Unbatched, this run would send an update per sample (60).
        var busiestSecond = times.Select((t, i) => times.Skip(i).TakeWhile(u => u - t < TimeSpan.FromSeconds(1)).Count()).Max();
        Assert.True(busiestSecond <= 5, $"{busiestSecond} updates within one second");
        Assert.Contains(watcher.Received, r => r.Status.State == RunState.Running && r.Status.Progress.SamplesDone is > 0 and < 60);
    }

    private sealed class Watcher : IRunObserver
    {
        public ConcurrentQueue<(DateTime At, RunStatus Status)> Received { get; } = new();

        public Task OnRunStatusAsync(RunStatus status)
        {
            Received.Enqueue((DateTime.UtcNow, status));
            return Task.CompletedTask;
        }

        public async Task<RunStatus> WaitForAsync(Func<RunStatus, bool> condition)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (DateTime.UtcNow < deadline)
            {
                if (Received.Select(r => r.Status).LastOrDefault(condition) is { } status)
                {
                    return status;
                }

                await Task.Delay(50);
            }

            throw new TimeoutException("the observer never saw the final status");
        }
    }
}
