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

    [Fact]
    public async Task A_silo_joining_and_leaving_is_pushed_to_an_open_page()
    {
        var page = _context.Render<Overview>();
        page.WaitForAssertion(() => Assert.Equal("1", page.Find("[data-testid=active-silo-count]").TextContent.Trim()), TimeSpan.FromSeconds(10));

        var second = await fixture.Cluster.StartAdditionalSiloAsync();
        var address = second.SiloAddress.ToParsableString();
        try
        {
            page.WaitForAssertion(() =>
            {
                Assert.Equal("2", page.Find("[data-testid=active-silo-count]").TextContent.Trim());
                Assert.Contains(page.FindAll("[data-testid=silo][data-silo-status=Active]"), s => s.TextContent.Contains(address, StringComparison.Ordinal));
            }, TimeSpan.FromSeconds(20));
        }
        finally
        {
            await fixture.Cluster.StopSiloAsync(second);
        }

        // The same page, never re-rendered by the test: the directory grain pushes the membership change.
        page.WaitForAssertion(() =>
        {
            Assert.Equal("1", page.Find("[data-testid=active-silo-count]").TextContent.Trim());
            Assert.DoesNotContain(page.FindAll("[data-testid=silo][data-silo-status=Active]"), s => s.TextContent.Contains(address, StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(20));
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();
}
