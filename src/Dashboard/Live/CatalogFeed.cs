using Microsoft.Extensions.Logging;
using VerlOrleans.Contracts.Catalog;

namespace VerlOrleans.Dashboard.Live;

/// <summary>
/// One subscription to the catalog for the whole process, shared by every open page: it holds the latest
/// <see cref="CatalogView"/> and raises <see cref="Changed"/> on each pushed update (the catalog batches them to at
/// most four a second). It re-subscribes every <see cref="ResubscribeInterval"/>, and takes a fresh snapshot when an
/// update was missed or the catalog came back on another activation (a silo restarted), so pages heal by themselves.
/// </summary>
public sealed partial class CatalogFeed(IGrainFactory grains, ILogger<CatalogFeed> logger) : ICatalogObserver, IAsyncDisposable
{
    private readonly SemaphoreSlim _start = new(1, 1);
    private readonly CancellationTokenSource _stopped = new();
    private readonly object _gate = new();
    private ICatalogObserver? _reference;
    private Task? _resubscribing;
    private Guid _epoch;
    private long _sequence;
    private bool _snapshotNeeded = true;

    /// <summary>How often the subscription is renewed (the catalog forgets observers after two minutes).</summary>
    public TimeSpan ResubscribeInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The catalog as of the last update.</summary>
    public CatalogView Current { get; private set; } = CatalogView.Empty;

    /// <summary>Why the last contact with the catalog failed; null while it works.</summary>
    public string? Error { get; private set; }

    /// <summary>Updates applied since start (snapshots included).</summary>
    public long UpdatesApplied { get; private set; }

    /// <summary>Raised after every applied update, on the thread that delivered it (pages marshal with InvokeAsync).</summary>
    public event Action? Changed;

    private ICatalogGrain Catalog => grains.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey);

    /// <summary>Subscribes and loads the first snapshot (once; later calls return at once).</summary>
    public async Task EnsureStartedAsync()
    {
        if (_resubscribing is not null)
        {
            return;
        }

        await _start.WaitAsync();
        try
        {
            if (_resubscribing is not null)
            {
                return;
            }

            _reference = grains.CreateObjectReference<ICatalogObserver>(this);
            await RenewAsync();
            _resubscribing = ResubscribeLoopAsync(_stopped.Token);
        }
        finally
        {
            _start.Release();
        }
    }

    Task ICatalogObserver.OnCatalogChangedAsync(CatalogUpdate update)
    {
        bool missed;
        lock (_gate)
        {
            if (update.Epoch == _epoch && update.Sequence <= _sequence)
            {
                // Already in the snapshot this view was built from.
                return Task.CompletedTask;
            }

            missed = update.Epoch != _epoch || update.Sequence != _sequence + 1;
            if (!missed)
            {
                _sequence = update.Sequence;
                Current = Current.Apply(update);
                UpdatesApplied++;
            }
            else
            {
                _snapshotNeeded = true;
            }
        }

        if (missed)
        {
            // Not awaited: the catalog must not wait on this page's snapshot read.
            _ = RenewAsync();
        }
        else
        {
            Changed?.Invoke();
        }

        return Task.CompletedTask;
    }

    private async Task ResubscribeLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(ResubscribeInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await RenewAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    /// <summary>Subscribes again and, when needed, replaces the view with a fresh snapshot.</summary>
    private async Task RenewAsync()
    {
        try
        {
            await Catalog.SubscribeAsync(_reference!);
            var snapshot = await Catalog.GetSnapshotAsync();
            bool changed;
            lock (_gate)
            {
                // A snapshot from another activation, or after a missed update, replaces the view; otherwise the
                // pushes already carry everything and the snapshot only checks the sequence.
                changed = _snapshotNeeded || snapshot.Epoch != _epoch || snapshot.Sequence > _sequence;
                if (changed)
                {
                    Current = CatalogView.Empty.Apply(snapshot);
                    _epoch = snapshot.Epoch;
                    _sequence = snapshot.Sequence;
                    _snapshotNeeded = false;
                    UpdatesApplied++;
                }
            }

            var recovered = Error is not null;
            Error = null;
            if (changed || recovered)
            {
                Changed?.Invoke();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogUnreachable(logger, e);
            Error = $"The catalog is unreachable ({e.Message}); showing what was known, retrying every {ResubscribeInterval.TotalSeconds:0} s.";
            lock (_gate)
            {
                _snapshotNeeded = true;
            }

            Changed?.Invoke();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopped.CancelAsync();
        if (_resubscribing is not null)
        {
            await _resubscribing;
        }

        if (_reference is not null)
        {
            try
            {
                await Catalog.UnsubscribeAsync(_reference);
                grains.DeleteObjectReference<ICatalogObserver>(_reference);
            }
            catch (ObjectDisposedException)
            {
                // The silo stopped before the dashboard: there is no catalog left to unsubscribe from.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The catalog forgets the subscription when it expires.
                LogUnreachable(logger, e);
            }
        }

        _stopped.Dispose();
        _start.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard: the catalog is unreachable")]
    private static partial void LogUnreachable(ILogger logger, Exception exception);
}
