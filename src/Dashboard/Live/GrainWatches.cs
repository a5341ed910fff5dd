using Microsoft.Extensions.Logging;

namespace VerlOrleans.Dashboard.Live;

/// <summary>
/// Shared live subscriptions to grains that push a status (runs, sweeps): however many pages watch one grain, the
/// process holds one observer on it. The first watcher subscribes; each renewal (every
/// <see cref="ResubscribeInterval"/>) subscribes again and re-reads the status, so a grain that came back on another
/// silo is followed again within one interval; the last watcher to leave unsubscribes.
/// </summary>
public abstract partial class GrainWatches<TStatus, TObserver>(IGrainFactory grains, ILogger logger) : IAsyncDisposable
    where TStatus : class
    where TObserver : class, IGrainObserver
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public TimeSpan ResubscribeInterval { get; set; } = TimeSpan.FromSeconds(15);

    protected IGrainFactory Grains { get; } = grains;

    /// <summary>Starts watching <paramref name="key"/>; <paramref name="listener"/> gets every status from now on, the current one first.</summary>
    public async Task<Watch> WatchAsync(string key, Action<TStatus> listener)
    {
        Entry entry;
        bool first;
        lock (_gate)
        {
            first = !_entries.TryGetValue(key, out entry!);
            if (first)
            {
                entry = new Entry(this, key);
                _entries[key] = entry;
            }

            entry.Listeners.Add(listener);
        }

        if (first)
        {
            await entry.StartAsync();
        }
        else
        {
            await entry.Started;
        }

        var latest = entry.Latest ?? await ReadAsync(key);
        listener(latest);
        return new Watch(this, entry, listener, latest);
    }

    /// <summary>Grains currently watched (one subscription each).</summary>
    public int WatchedCount
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>An observer object that hands every pushed status to <paramref name="deliver"/>.</summary>
    protected abstract TObserver CreateObserver(Action<TStatus> deliver);

    protected abstract Task SubscribeAsync(string key, TObserver reference);

    protected abstract Task UnsubscribeAsync(string key, TObserver reference);

    protected abstract Task<TStatus> ReadAsync(string key);

    public async ValueTask DisposeAsync()
    {
        List<Entry> entries;
        lock (_gate)
        {
            entries = [.. _entries.Values];
            _entries.Clear();
        }

        foreach (var entry in entries)
        {
            await entry.StopAsync();
        }

        GC.SuppressFinalize(this);
    }

    private async Task LeaveAsync(Entry entry, Action<TStatus> listener)
    {
        bool last;
        lock (_gate)
        {
            entry.Listeners.Remove(listener);
            last = entry.Listeners.Count == 0 && _entries.GetValueOrDefault(entry.Key) == entry;
            if (last)
            {
                _entries.Remove(entry.Key);
            }
        }

        if (last)
        {
            await entry.StopAsync();
        }
    }

    /// <summary>
    /// The most a watched grain's status reaches the pages: the grains publish four times a second, and every delivery
    /// re-renders every page watching it, in the browser too. The latest status always arrives, at most this late.
    /// </summary>
    public TimeSpan MinDeliveryInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    private void Deliver(Entry entry, TStatus status)
    {
        lock (_gate)
        {
            entry.Latest = status;
        }

        entry.Delivery.Signal();
    }

    private void DeliverLatest(Entry entry)
    {
        Action<TStatus>[] listeners;
        TStatus? status;
        lock (_gate)
        {
            status = entry.Latest;
            listeners = [.. entry.Listeners];
        }

        if (status is not null)
        {
            foreach (var listener in listeners)
            {
                listener(status);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard: cannot follow {Key}")]
    private static partial void LogUnreachable(ILogger logger, Exception exception, string key);

    /// <summary>A page's hold on a watched grain; dispose it when the page goes away.</summary>
    public sealed class Watch : IAsyncDisposable
    {
        private readonly GrainWatches<TStatus, TObserver> _owner;
        private readonly Entry _entry;
        private readonly Action<TStatus> _listener;
        private int _disposed;

        internal Watch(GrainWatches<TStatus, TObserver> owner, Entry entry, Action<TStatus> listener, TStatus initial)
        {
            _owner = owner;
            _entry = entry;
            _listener = listener;
            Initial = initial;
        }

        /// <summary>The status when the watch began.</summary>
        public TStatus Initial { get; }

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _disposed, 1) == 0 ? new ValueTask(_owner.LeaveAsync(_entry, _listener)) : ValueTask.CompletedTask;
    }

    internal sealed class Entry(GrainWatches<TStatus, TObserver> owner, string key)
    {
        private readonly CancellationTokenSource _stopped = new();
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TObserver? _observer;
        private TObserver? _reference;
        private Task? _loop;

        public string Key { get; } = key;

        public HashSet<Action<TStatus>> Listeners { get; } = [];

        public TStatus? Latest { get; set; }

        /// <summary>Hands the latest status to the listeners at most once per <see cref="MinDeliveryInterval"/>.</summary>
        public Throttle Delivery { get; private set; } = null!;

        public Task Started => _started.Task;

        public async Task StartAsync()
        {
            Delivery = new Throttle(owner.MinDeliveryInterval, () => owner.DeliverLatest(this));
            try
            {
                _observer = owner.CreateObserver(status => owner.Deliver(this, status));
                _reference = owner.Grains.CreateObjectReference<TObserver>(_observer);
                await RenewAsync();
                _loop = LoopAsync(_stopped.Token);
                _started.TrySetResult();
            }
            catch (Exception e)
            {
                _started.TrySetException(e);
                throw;
            }
        }

        public async Task StopAsync()
        {
            await _stopped.CancelAsync();
            if (_loop is not null)
            {
                await _loop;
            }

            if (_reference is not null)
            {
                try
                {
                    await owner.UnsubscribeAsync(Key, _reference);
                    owner.Grains.DeleteObjectReference<TObserver>(_reference);
                }
                catch (ObjectDisposedException)
                {
                    // The silo stopped before the dashboard: there is no grain left to unsubscribe from.
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // The grain forgets the subscription when it expires.
                    LogUnreachable(owner.Logger, e, Key);
                }
            }

            _stopped.Dispose();
            Delivery.Dispose();
        }

        private async Task RenewAsync()
        {
            await owner.SubscribeAsync(Key, _reference!);
            var status = await owner.ReadAsync(Key);
            if (!Equals(status, Latest))
            {
                owner.Deliver(this, status);
            }
        }

        private async Task LoopAsync(CancellationToken cancellationToken)
        {
            using var timer = new PeriodicTimer(owner.ResubscribeInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(cancellationToken))
                {
                    try
                    {
                        await RenewAsync();
                    }
                    catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
                    {
                        LogUnreachable(owner.Logger, e, Key);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }
    }

    private ILogger Logger { get; } = logger;
}
