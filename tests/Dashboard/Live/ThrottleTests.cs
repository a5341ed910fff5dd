using VerlOrleans.Dashboard.Live;

namespace VerlOrleans.Dashboard.Tests.Live;

/// <summary>What live pages rely on: a burst of signals costs one immediate run and one trailing run, never more, and the last signal is never lost.</summary>
public sealed class ThrottleTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_burst_runs_once_at_once_and_once_more_when_the_interval_ends()
    {
        var runs = 0;
        using var throttle = new Throttle(Interval, () => Interlocked.Increment(ref runs));

        throttle.Signal();
        Assert.Equal(1, runs);
        for (var i = 0; i < 20; i++)
        {
            throttle.Signal();
        }

        Assert.Equal(1, runs);
        await WaitForAsync(() => runs == 2);
        await Task.Delay(Interval * 2);
        Assert.Equal(2, runs);

        // Quiet for longer than the interval: the next signal runs at once again.
        throttle.Signal();
        Assert.Equal(3, runs);
    }

    [Fact]
    public async Task A_disposed_throttle_drops_its_pending_run()
    {
        var runs = 0;
        var throttle = new Throttle(Interval, () => Interlocked.Increment(ref runs));
        throttle.Signal();
        throttle.Signal();

        throttle.Dispose();
        await Task.Delay(Interval * 2);
        throttle.Signal();

        Assert.Equal(1, runs);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the trailing run never came");
            await Task.Delay(20);
        }
    }
}
