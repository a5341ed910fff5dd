using VerlOrleans.Contracts.Models;
using VerlOrleans.Grains.Hosting;

namespace VerlOrleans.Grains.Tests.Hosting;

/// <summary>Which failures are the cluster's (retried) and which are the call's own (not), and how long retrying lasts.</summary>
public sealed class ClusterRetryTests
{
    public static TheoryData<Exception, bool> Failures => new()
    {
        { new SiloUnavailableException("silo died"), true },
        { new Orleans.Runtime.Messaging.ConnectionFailedException("refused"), true },
        { new TimeoutException("no answer"), true },
        { new ModelUnloadedException("unloaded under the call"), true },
        { new AggregateException(new SiloUnavailableException("inner")), true },
        { new InvalidOperationException("model failed to load"), false },
        { new ArgumentException("bad spec"), false },
        { new OperationCanceledException(), false },
        { new AggregateException(new SiloUnavailableException("a"), new TimeoutException("b")), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Cluster_failures_are_transient_and_the_calls_own_failures_are_not(Exception failure, bool transient) =>
        Assert.Equal(transient, ClusterRetry.IsTransient(failure));

    [Fact]
    public async Task A_call_failing_transiently_is_made_again_until_it_succeeds()
    {
        var calls = 0;
        var retries = new List<int>();
        var result = await ClusterRetry.CallAsync(
            () => ++calls < 3 ? throw new SiloUnavailableException("gone") : Task.FromResult(calls),
            TimeProvider.System, (_, attempt) => retries.Add(attempt));

        Assert.Equal(3, result);
        Assert.Equal([1, 2], retries);
    }

    [Fact]
    public async Task A_call_failing_for_its_own_reason_is_not_retried()
    {
        var calls = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(() => ClusterRetry.CallAsync<int>(
            () => { calls++; throw new InvalidOperationException("no"); }, TimeProvider.System));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Retrying_stops_after_the_window_with_the_last_failure()
    {
        var calls = 0;
        await Assert.ThrowsAsync<SiloUnavailableException>(() => ClusterRetry.CallAsync<int>(
            () => { calls++; throw new SiloUnavailableException("still gone"); }, TimeProvider.System, window: TimeSpan.FromMilliseconds(600)));
        Assert.InRange(calls, 2, 4);
    }

    [Fact]
    public void Backoff_doubles_from_a_quarter_second_to_four_seconds() =>
        Assert.Equal([250, 500, 1000, 2000, 4000, 4000], Enumerable.Range(1, 6).Select(a => ClusterRetry.Backoff(a).TotalMilliseconds));
}
