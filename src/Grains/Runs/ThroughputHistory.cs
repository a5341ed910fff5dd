using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Grains.Runs;

/// <summary>
/// A run's counters over time, a point a second at most, for the run page's throughput chart. Bounded: when full,
/// every other point is dropped, so a long run keeps its whole span at a coarser spacing. In memory only.
/// </summary>
public sealed class ThroughputHistory(int capacity = 600)
{
    private static readonly TimeSpan Spacing = TimeSpan.FromSeconds(1);
    private readonly List<ThroughputPoint> _points = [];
    private TimeSpan _spacing = Spacing;

    public IReadOnlyList<ThroughputPoint> Points => [.. _points];

    /// <summary>Adds a point when the last is at least the current spacing old (always for the run's final state).</summary>
    public void Record(DateTimeOffset at, RunProgress progress, bool final = false)
    {
        if (_points.Count > 0 && !final && at - _points[^1].At < _spacing)
        {
            return;
        }

        if (_points.Count > 0 && _points[^1].SamplesDone == progress.SamplesDone && _points[^1].GeneratedTokens == progress.GeneratedTokens && final)
        {
            return;
        }

        _points.Add(new ThroughputPoint(at, progress.SamplesDone, progress.GeneratedTokens));
        if (_points.Count > capacity)
        {
            for (var i = _points.Count - 2; i > 0; i -= 2)
            {
                _points.RemoveAt(i);
            }

            _spacing *= 2;
        }
    }
}
