using VerlOrleans.Inference.Models;

namespace VerlOrleans.Inference.Tests.Models;

/// <summary>The helper team runs every block exactly once, whether a helper or the caller (taking it back) runs it.</summary>
public sealed class ProductWorkersTests
{
    [Fact]
    public void Every_part_runs_exactly_once_per_call_from_one_or_many_callers()
    {
        var workers = ProductWorkers.For(3);
        var counts = new int[2, 3];

        Parallel.For(0, 2, caller =>
        {
            for (var i = 0; i < 2000; i++)
            {
                workers.Run(part => Interlocked.Increment(ref counts[caller, part]));
            }
        });

        Assert.Equal(3, workers.Parallelism);
        Assert.All(Enumerable.Range(0, 6), i => Assert.Equal(2000, counts[i / 3, i % 3]));
    }

    [Fact]
    public void A_failing_part_fails_the_call_and_the_team_keeps_working()
    {
        var workers = ProductWorkers.For(2);

        for (var i = 0; i < 200; i++)
        {
            var failing = i % 2;
            var error = Assert.ThrowsAny<Exception>(() => workers.Run(part =>
            {
                if (part == failing)
                {
                    throw new InvalidOperationException($"part {part} broke");
                }
            }));
            Assert.Contains($"part {failing} broke", error.GetBaseException().Message, StringComparison.Ordinal);

            var ran = new int[2];
            workers.Run(part => Interlocked.Increment(ref ran[part]));
            Assert.Equal([1, 1], ran);
        }
    }

    [Fact]
    public void Blocks_taken_back_from_sleeping_helpers_do_not_switch_splitting_off()
    {
        // A team of its own (the teams are process-wide per size). Between calls the helpers sleep well past their 1 ms
        // spin budget, so the caller takes their tiny blocks back: that is a pause, not contention, and splitting
        // must stay on (it used to back off for thousands of calls after every pause).
        var workers = ProductWorkers.For(6);
        var runs = 0;
        for (var i = 0; i < 130; i++)
        {
            Thread.Sleep(20);
            workers.Run(_ => Interlocked.Increment(ref runs));
        }

        Assert.Equal(130 * 6, runs);
        Assert.True(workers.ShouldSplit);
    }
}
