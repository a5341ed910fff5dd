using System.Globalization;
using Bunit;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Dashboard.Pages;
using VerlOrleans.Testing;

namespace VerlOrleans.Dashboard.Tests.Pages;

/// <summary>The sweep page on a real sweep over a verl run folder: it follows the sweep to its end, one chart point and one row per step.</summary>
[Collection(GridClusterCollection.Name)]
public sealed class SweepPageTests(GridClusterFixture fixture) : IAsyncLifetime
{
    private readonly BunitContext _context = DashboardTestContext.Create(fixture);
    private readonly TempDirectory _folder = new("sweep-page");

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_page_follows_a_sweep_to_its_end_with_a_point_and_a_row_per_step()
    {
        var runFolder = _folder.Combine("grpo_page");
        VerlRunFolderBuilder.Write(runFolder, 2);
        var sweepId = $"sweep-page-{Guid.NewGuid():N}";
        // Rendered first: the page is open when the sweep starts.
        var page = _context.Render<SweepPage>(p => p.Add(x => x.SweepId, sweepId));
        page.WaitForAssertion(() => page.Find("[data-testid=sweep-unknown]"));

        await fixture.Client.GetGrain<ISweepGrain>(sweepId).StartAsync(new SweepSpec([runFolder], GridRuns.Greedy("", 6), MaxConcurrentRuns: 1));

        page.WaitForAssertion(() =>
        {
            Assert.Equal("true", page.Find("[data-testid=sweep-page]").GetAttribute("data-finished"));
            Assert.Equal("2", page.Find("[data-testid=sweep-chart]").GetAttribute("data-points"));
        }, TimeSpan.FromMinutes(3));
        var status = await fixture.Client.GetGrain<ISweepGrain>(sweepId).GetStatusAsync();
        var rows = page.FindAll("[data-testid=sweep-row]");
        Assert.Equal(["grpo_page/step_1", "grpo_page/step_2"], rows.Select(r => r.QuerySelectorAll("td")[1].TextContent.Trim()));
        Assert.Equal(["1", "2"], rows.Select(r => r.GetAttribute("data-step")));
        for (var i = 0; i < rows.Count; i++)
        {
            var value = rows[i].QuerySelector("[data-testid=sweep-value]")!.TextContent.Trim();
            Assert.Equal(status.Rows[i].Metrics["val-core/openai/gsm8k/reward/mean@1"].ToString("0.000", CultureInfo.InvariantCulture), value);
        }

        // Compare starts with the first and the last finished run.
        Assert.EndsWith($"/compare?runs={sweepId}-001,{sweepId}-002", page.Find("[data-testid=compare-selected]").GetAttribute("href"), StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        _folder.Dispose();
    }
}
