namespace VerlOrleans.Dashboard.Live;

/// <summary>
/// Runs an action at most once per interval however often it is signalled, and never drops the last signal: one
/// within the interval runs when the interval ends. Live pages use it so that a grain publishing four times a second
/// costs the browser at most a few renders a second, and still shows the final state.
/// </summary>
public sealed class Throttle(TimeSpan interval, Action fire) : IDisposable
{
    private readonly object _gate = new();
    private DateTime _firedAt = DateTime.MinValue;
    private Timer? _pending;
    private bool _disposed;

    /// <summary>Asks for the action: now if the interval since the last run has passed, otherwise once it has.</summary>
    public void Signal()
    {
        lock (_gate)
        {
            if (_disposed || _pending is not null)
            {
                return;
            }

            var wait = interval - (DateTime.UtcNow - _firedAt);
            if (wait > TimeSpan.Zero)
            {
                _pending = new Timer(_ => FirePending(), null, wait, Timeout.InfiniteTimeSpan);
                return;
            }

            _firedAt = DateTime.UtcNow;
        }

        fire();
    }

    private void FirePending()
    {
        lock (_gate)
        {
            _pending?.Dispose();
            _pending = null;
            if (_disposed)
            {
                return;
            }

            _firedAt = DateTime.UtcNow;
        }

        fire();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _pending?.Dispose();
            _pending = null;
        }
    }
}
