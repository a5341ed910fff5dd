using Microsoft.Extensions.Logging.Abstractions;
using VerlOrleans.Dashboard.Live;
using VerlOrleans.Testing;

namespace VerlOrleans.Dashboard.Tests.Live;

/// <summary>The Overview's feed on the real cluster: each silo report (every second in the test cluster) is pushed, with no re-read.</summary>
[Collection(GridClusterCollection.Name)]
public sealed class DirectoryWatchesTests(GridClusterFixture fixture)
{
    [Fact]
    public async Task Every_silo_report_reaches_the_watcher_without_a_re_read()
    {
        await using var watches = new DirectoryWatches(fixture.Client, NullLogger<DirectoryWatches>.Instance)
        {
            // Far beyond the test: whatever arrives was pushed, not re-read by the renewal loop.
            ResubscribeInterval = TimeSpan.FromMinutes(10),
        };
        var reports = new List<DateTimeOffset>();
        var watch = await watches.WatchAsync(DirectoryWatches.Key, overview =>
        {
            lock (reports)
            {
                reports.Add(overview.Silos.Single().LastReportAt!.Value);
            }
        });

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            lock (reports)
            {
                if (reports.Distinct().Count() >= 3)
                {
                    break;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"only {reports.Count} overview(s) arrived");
            await Task.Delay(50);
        }

        await watch.DisposeAsync();
        lock (reports)
        {
            // Newer reports only, in order.
            Assert.Equal(reports.Order(), reports);
        }
    }
}
