using VerlOrleans.Contracts.Runs;
using VerlOrleans.Dashboard.Analysis;

namespace VerlOrleans.Dashboard.Tests.Analysis;

public sealed class ThroughputSeriesTests
{
    [Fact]
    public void Rates_are_taken_over_the_trailing_window()
    {
        var start = DateTimeOffset.UnixEpoch;
        // 10 samples and 100 tokens a second for 10 s, then nothing for 6 s.
        var points = Enumerable.Range(0, 11).Select(s => new ThroughputPoint(start.AddSeconds(s), s * 10, s * 100L))
            .Concat(Enumerable.Range(11, 6).Select(s => new ThroughputPoint(start.AddSeconds(s), 100, 1000L))).ToList();

        var rates = ThroughputSeries.Rates(points);

        Assert.Equal(16, rates.Count);
        Assert.Equal((10.0, 100.0), (rates[4].SamplesPerSecond, rates[4].TokensPerSecond));
        Assert.Equal(10.0, rates[9].SamplesPerSecond);
        Assert.Equal(0.0, rates[^1].SamplesPerSecond);
        Assert.Equal(16.0, rates[^1].Seconds);
        Assert.Empty(ThroughputSeries.Rates(points.Take(1).ToList()));
    }
}
