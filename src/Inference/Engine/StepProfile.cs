using System.Diagnostics;

namespace VerlOrleans.Inference.Engine;

/// <summary>
/// Where a model step's time goes, part by part (the products, attention over the KV cache, norms, rotary, sampling,
/// the runner's own bookkeeping), for the inference benchmark's breakdown. Nothing is measured unless a profile is
/// <see cref="Active"/>: the step code then pays one static read per part. The parts run one after another on the
/// engine's thread (CPU tensor operations return when done), so each mark ends the previous part.
/// </summary>
public sealed class StepProfile
{
    private static StepProfile? _active;
    private readonly Dictionary<string, long> _ticks = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private long _last;

    /// <summary>The profile steps report to, or null (the default: nothing is timed).</summary>
    public static StepProfile? Active
    {
        get => Volatile.Read(ref _active);
        set => Volatile.Write(ref _active, value);
    }

    /// <summary>Steps started since the last <see cref="Reset"/>.</summary>
    public long Steps { get; private set; }

    /// <summary>Total time per part, in the order parts were first seen.</summary>
    public IReadOnlyList<(string Part, TimeSpan Total)> Totals
    {
        get
        {
            lock (_ticks)
            {
                return _order.Select(p => (p, Stopwatch.GetElapsedTime(0, _ticks[p]))).ToList();
            }
        }
    }

    /// <summary>A step begins: the next mark's part starts now.</summary>
    public void StartStep()
    {
        Steps++;
        _last = Stopwatch.GetTimestamp();
    }

    /// <summary>The time since the last mark (or the step's start) was spent on <paramref name="part"/>.</summary>
    public void Mark(string part)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_ticks)
        {
            if (!_ticks.TryGetValue(part, out var ticks))
            {
                _order.Add(part);
            }

            _ticks[part] = ticks + (now - _last);
        }

        _last = now;
    }

    public void Reset()
    {
        lock (_ticks)
        {
            _ticks.Clear();
            _order.Clear();
        }

        Steps = 0;
    }
}
