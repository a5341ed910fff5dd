using Microsoft.Extensions.Options;
using VerlOrleans.Grains.Cluster;
using VerlOrleans.Grains.Hosting;
using VerlOrleans.Grains.Models;

namespace VerlOrleans.Grains.Tests.Models;

/// <summary>The device budget's bookkeeping: room first, then least recently used idle models, never busy ones.</summary>
public sealed class SiloModelResidencyTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void A_model_that_fits_needs_no_eviction_and_keeps_its_device_once_resident()
    {
        var residency = New(limit: 100);

        Assert.Equal(("cpu", Array.Empty<string>()), Normalize(residency.Plan("a", 60)));
        residency.Reserve("a", "cpu", 60);
        Assert.Equal(("cpu", Array.Empty<string>()), Normalize(residency.Plan("a", 60)));
        Assert.Equal(40, residency.Free(new LocalSiloInventory().Devices().Single(d => d.Id == "cpu")));
    }

    [Fact]
    public void When_full_the_least_recently_used_idle_models_are_evicted_first_and_busy_ones_never()
    {
        var residency = New(limit: 100);
        residency.Reserve("oldest", "cpu", 30);
        _clock.Advance(TimeSpan.FromMinutes(1));
        residency.Reserve("busy", "cpu", 30);
        residency.Touch("busy", busy: true);
        _clock.Advance(TimeSpan.FromMinutes(1));
        residency.Reserve("recent", "cpu", 30);

        Assert.Equal(("cpu", new[] { "oldest" }), Normalize(residency.Plan("new", 40)));
        Assert.Equal(("cpu", new[] { "oldest", "recent" }), Normalize(residency.Plan("new", 70)));
        Assert.Null(residency.Plan("new", 80));
    }

    [Fact]
    public void Releasing_frees_the_budget()
    {
        var residency = New(limit: 100);
        residency.Reserve("a", "cpu", 100);
        Assert.Equal(("cpu", new[] { "a" }), Normalize(residency.Plan("b", 10)));

        residency.Release("a");

        Assert.Equal(("cpu", Array.Empty<string>()), Normalize(residency.Plan("b", 100)));
    }

    private SiloModelResidency New(long limit) =>
        new(new LocalSiloInventory(), Options.Create(new GridOptions { DeviceMemoryLimitBytes = limit }), _clock);

    private static (string, string[])? Normalize((string Device, IReadOnlyList<string> Evict)? plan) =>
        plan is { } p ? (p.Device, p.Evict.ToArray()) : null;

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
