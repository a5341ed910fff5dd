using VerlOrleans.Grains.Runs;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Runs;

/// <summary>The run lease: one holder at a time, a waiter gets it when the holder lets go, and gives up after its wait.</summary>
public sealed class RunLeaseTests : IDisposable
{
    private readonly TempDirectory _runs = new("lease");

    [Fact]
    public async Task A_second_holder_waits_and_gives_up_while_the_first_holds_it()
    {
        var folder = _runs.Combine("k_run-1");
        using var first = await RunLease.AcquireAsync(folder, TimeSpan.Zero, TimeProvider.System, CancellationToken.None);
        Assert.NotNull(first);
        Assert.True(File.Exists(RunLease.PathFor(folder)));
        Assert.False(Directory.Exists(folder), "the lease lives next to the results folder, not in it");

        var started = DateTime.UtcNow;
        var second = await RunLease.AcquireAsync(folder, TimeSpan.FromMilliseconds(600), TimeProvider.System, CancellationToken.None);
        Assert.Null(second);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task A_waiter_gets_the_lease_once_the_holder_lets_go_and_other_runs_are_independent()
    {
        var folder = _runs.Combine("k_run-2");
        var first = await RunLease.AcquireAsync(folder, TimeSpan.Zero, TimeProvider.System, CancellationToken.None);
        using var other = await RunLease.AcquireAsync(_runs.Combine("k_run-3"), TimeSpan.Zero, TimeProvider.System, CancellationToken.None);
        Assert.NotNull(other);

        var waiting = RunLease.AcquireAsync(folder, TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
        await Task.Delay(400);
        Assert.False(waiting.IsCompleted);
        first!.Dispose();
        using var second = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(second);
    }

    [Fact]
    public async Task Waiting_stops_when_cancelled()
    {
        var folder = _runs.Combine("k_run-4");
        using var first = await RunLease.AcquireAsync(folder, TimeSpan.Zero, TimeProvider.System, CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunLease.AcquireAsync(folder, TimeSpan.FromMinutes(1), TimeProvider.System, cancel.Token));
    }

    public void Dispose() => _runs.Dispose();
}
