using System.Diagnostics;

namespace VerlOrleans.Bench.OpenAi;

/// <summary>
/// Seconds since a round began, read in this process (a stopwatch) or converted from the wall-clock times the silo
/// writes into a run's results: the silo runs on this machine, so both clocks are the same one.
/// </summary>
internal sealed class RoundClock
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;

    public double Now => _watch.Elapsed.TotalSeconds;

    public double Seconds(DateTimeOffset at) => (at - _startedAt).TotalSeconds;
}
