using System.Text;

namespace VerlOrleans.Evaluation.Rewards.Python;

/// <summary>Reads a worker's stderr to its end, keeping only the last bytes (what a failing sample's error shows).</summary>
internal sealed class StderrTail
{
    private readonly Lock _lock = new();
    private readonly byte[] _ring;
    private long _written;

    private StderrTail(int capacity, Stream stderr)
    {
        _ring = new byte[Math.Max(capacity, 1)];
        Pump = PumpAsync(stderr);
    }

    /// <summary>Completes when stderr reaches its end (the process exited, or closed it).</summary>
    public Task Pump { get; }

    public static StderrTail Start(Stream stderr, int capacity) => new(capacity, stderr);

    /// <summary>The kept bytes as text (a character cut at the start shows as U+FFFD), trimmed; empty when nothing was written.</summary>
    public string Text()
    {
        lock (_lock)
        {
            var count = (int)Math.Min(_written, _ring.Length);
            var start = (int)((_written - count) % _ring.Length);
            var bytes = new byte[count];
            var first = Math.Min(count, _ring.Length - start);
            Array.Copy(_ring, start, bytes, 0, first);
            Array.Copy(_ring, 0, bytes, first, count - first);
            var text = Encoding.UTF8.GetString(bytes).Trim();
            return _written > _ring.Length ? "…" + text : text;
        }
    }

    private async Task PumpAsync(Stream stderr)
    {
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stderr.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                lock (_lock)
                {
                    for (var i = 0; i < read; i++)
                    {
                        _ring[(int)(_written++ % _ring.Length)] = buffer[i];
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The process went away mid-read: what was read is kept.
        }
    }
}
