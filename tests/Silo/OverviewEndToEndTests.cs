using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Silo.Tests.Browser;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests;

/// <summary>
/// The dashboard in a real browser (Debian's Chromium through Playwright) against the real silo process:
/// the page becomes interactive, shows the one silo with a working TorchSharp runtime, and updates live.
/// </summary>
public sealed class OverviewEndToEndTests(SiloProcess silo) : IClassFixture<SiloProcess>
{
    [Fact]
    public async Task Overview_in_chromium_shows_one_active_silo_and_updates_live()
    {
        await using var browser = await BrowserSession.StartAsync(1280, 800);
        var page = browser.Page;
        await browser.OpenAsync(silo.BaseAddress);

        Assert.Equal("1", (await page.InnerTextAsync("[data-testid=active-silo-count]")).Trim());
        Assert.Equal(1, await page.Locator("[data-testid=silo][data-silo-status=Active]").CountAsync());
        Assert.Equal("self-test passed", (await page.InnerTextAsync("[data-testid=torch-status]")).Trim());
        Assert.StartsWith("cpu", (await page.InnerTextAsync("[data-testid=device]")).Trim(), StringComparison.Ordinal);

        var uptime = await page.InnerTextAsync("[data-testid=silo-uptime]");
        await page.WaitForFunctionAsync(
            "previous => document.querySelector('[data-testid=silo-uptime]').innerText !== previous",
            uptime,
            new Microsoft.Playwright.PageWaitForFunctionOptions { Timeout = 10_000 });

        await browser.ShotAsync("overview");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_run_submitted_over_http_is_followed_live_on_the_runs_page()
    {
        var shared = RepositoryPaths.SharedFolder ?? throw new InvalidOperationException("../shared (verl's gsm8k parquet) is missing next to the checkout");
        using var api = new GridApiClient(silo.BaseAddress);
        var runId = $"browser-{Guid.NewGuid():N}"[..20];
        await api.StartRunAsync(new RunSpec
        {
            Checkpoint = TinyChatModel.Folder,
            DataFiles = [Path.Combine(shared, "data", "verl-data", "gsm8k_test.parquet")],
            MaxSamples = 40,
            Sampling = new SamplingSettings { Temperature = 0, MaxTokens = 48 },
            Prompt = new PromptSettings { MaxPromptLength = 512, Truncation = "left" },
        }, runId);

        await using var browser = await BrowserSession.StartAsync(1280, 800);
        await browser.OpenAsync(new Uri(silo.BaseAddress, "runs"));

        var row = $"[data-testid=run][data-run-id='{runId}']";
        await browser.Page.WaitForSelectorAsync($"{row}[data-run-state=Completed]", new Microsoft.Playwright.PageWaitForSelectorOptions { Timeout = 120_000 });
        Assert.Equal("40 / 40", (await browser.Page.InnerTextAsync($"{row} [data-testid=run-samples]")).Trim());
        await browser.ShotAsync("runs");
        browser.AssertNoProblems();
    }
}
