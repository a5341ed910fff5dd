using Bunit;
using Microsoft.Extensions.DependencyInjection;
using VerlOrleans.Dashboard.Pages;
using VerlOrleans.Testing;

namespace VerlOrleans.Dashboard.Tests;

/// <summary>The Overview page renders live facts read from the real cluster directory grain.</summary>
[Collection(GridClusterCollection.Name)]
public sealed class OverviewPageTests(GridClusterFixture fixture) : IAsyncLifetime
{
    private readonly BunitContext _context = DashboardTestContext.Create(fixture);

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public void Shows_one_active_silo_with_its_cpu_device_and_torch_status()
    {
        var page = _context.Render<Overview>();

        page.WaitForAssertion(() => Assert.Equal("1", page.Find("[data-testid=active-silo-count]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        var silo = page.Find("[data-testid=silo][data-silo-status=Active]");
        Assert.Contains(fixture.Cluster.Silos[0].SiloAddress.ToParsableString(), silo.TextContent, StringComparison.Ordinal);
        var device = Assert.Single(page.FindAll("[data-testid=device]"));
        Assert.StartsWith("cpu", device.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("GiB", device.TextContent, StringComparison.Ordinal);
        Assert.Equal("self-test passed", page.Find("[data-testid=torch-status]").TextContent.Trim());
    }

    [Fact]
    public void Uptime_ticks_without_a_reload()
    {
        var page = _context.Render<Overview>(parameters => parameters.Add(p => p.RefreshInterval, TimeSpan.FromMilliseconds(200)));
        page.WaitForElement("[data-testid=silo-uptime]", TimeSpan.FromSeconds(10));
        var first = page.Find("[data-testid=silo-uptime]").TextContent;

        page.WaitForAssertion(() => Assert.NotEqual(first, page.Find("[data-testid=silo-uptime]").TextContent), TimeSpan.FromSeconds(5));
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();
}
