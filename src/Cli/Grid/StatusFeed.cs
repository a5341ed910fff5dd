using System.Threading.Channels;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Cli.Grid;

/// <summary>
/// A grain's status as it changes. The grain pushes updates to an observer (batched, a few a second); subscriptions
/// expire, so the feed re-subscribes periodically, and it polls now and then in case a push was lost (a dropped
/// message, a silo restart): a finished status is never missed.
/// </summary>
internal sealed class StatusFeed<TStatus> : IAsyncDisposable where TStatus : class
{
    private readonly Channel<TStatus> _updates = Channel.CreateUnbounded<TStatus>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<Task<TStatus>> _poll;
    private Func<Task> _subscribe = () => Task.CompletedTask;
    private Func<Task> _unsubscribe = () => Task.CompletedTask;
    private object? _observer;
    private Task? _maintenance;

    internal StatusFeed(Func<Task<TStatus>> poll) => _poll = poll;

    /// <summary>Every status pushed or polled, in arrival order, until the caller stops reading.</summary>
    public IAsyncEnumerable<TStatus> ReadAllAsync(CancellationToken cancellationToken) => _updates.Reader.ReadAllAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_maintenance is not null)
        {
            await _maintenance;
        }

        try
        {
            await _unsubscribe();
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            // The subscription expires on its own.
        }

        GC.KeepAlive(_observer);
        _stop.Dispose();
    }

    internal void Push(TStatus status) => _updates.Writer.TryWrite(status);

    /// <summary>
    /// Subscribes and starts the periodic re-subscription and polling. <paramref name="observer"/> is held here because
    /// Orleans keeps only a weak reference to a client-side observer: a collected one would silently stop receiving.
    /// </summary>
    internal async Task<StatusFeed<TStatus>> StartAsync(object observer, Func<Task> subscribe, Func<Task> unsubscribe)
    {
        (_observer, _subscribe, _unsubscribe) = (observer, subscribe, unsubscribe);
        await _subscribe();
        Push(await _poll());
        _maintenance = MaintainAsync(_stop.Token);
        return this;
    }

    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(StatusFeeds.PollInterval);
        var subscribedAt = DateTime.UtcNow;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    if (DateTime.UtcNow - subscribedAt >= StatusFeeds.ResubscribeInterval)
                    {
                        await _subscribe();
                        subscribedAt = DateTime.UtcNow;
                    }

                    Push(await _poll());
                }
                catch (Exception e) when (e is OrleansException or TimeoutException)
                {
                    // The silo may be restarting: the next tick tries again, and the watcher keeps what it last saw.
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
    }
}

/// <summary>Status feeds of run and sweep grains (observer subscriptions expire after two minutes; re-subscribe well before).</summary>
internal static class StatusFeeds
{
    public static readonly TimeSpan ResubscribeInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(3);

    public static Task<StatusFeed<RunStatus>> ForRunAsync(IClusterClient client, IEvaluationRunGrain run)
    {
        var feed = new StatusFeed<RunStatus>(run.GetStatusAsync);
        var observer = new RunStatusCallback(feed.Push);
        var reference = client.CreateObjectReference<IRunObserver>(observer);
        return feed.StartAsync(observer, () => run.SubscribeAsync(reference), async () =>
        {
            await run.UnsubscribeAsync(reference);
            client.DeleteObjectReference<IRunObserver>(reference);
        });
    }

    public static Task<StatusFeed<SweepStatus>> ForSweepAsync(IClusterClient client, ISweepGrain sweep)
    {
        var feed = new StatusFeed<SweepStatus>(sweep.GetStatusAsync);
        var observer = new SweepStatusCallback(feed.Push);
        var reference = client.CreateObjectReference<ISweepObserver>(observer);
        return feed.StartAsync(observer, () => sweep.SubscribeAsync(reference), async () =>
        {
            await sweep.UnsubscribeAsync(reference);
            client.DeleteObjectReference<ISweepObserver>(reference);
        });
    }

}
