using System.Diagnostics;

namespace VerlOrleans.Inference.Engine;

/// <summary>Tokens per second over a sliding window of recent steps.</summary>
internal sealed class ThroughputWindow(TimeSpan window)
{
    private readonly Queue<(long Timestamp, int Tokens)> _steps = new();
    private long _tokens;

    public void Add(int tokens)
    {
        var now = Stopwatch.GetTimestamp();
        _steps.Enqueue((now, tokens));
        _tokens += tokens;
        while (_steps.Count > 1 && Stopwatch.GetElapsedTime(_steps.Peek().Timestamp, now) > window)
        {
            _tokens -= _steps.Dequeue().Tokens;
        }
    }

    /// <summary>Tokens after the oldest step in the window, divided by the time since it.</summary>
    public double PerSecond()
    {
        if (_steps.Count < 2)
        {
            return 0;
        }

        var seconds = Stopwatch.GetElapsedTime(_steps.Peek().Timestamp).TotalSeconds;
        return seconds > 0 ? (_tokens - _steps.Peek().Tokens) / seconds : 0;
    }
}
