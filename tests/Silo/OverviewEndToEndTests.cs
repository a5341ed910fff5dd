using Microsoft.Playwright;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests;

/// <summary>
/// The dashboard in a real browser (Debian's Chromium through Playwright) against the real silo process:
/// the page becomes interactive, shows the one silo with a working TorchSharp runtime, and updates live.
/// </summary>
public sealed class OverviewEndToEndTests(SiloProcess silo) : IClassFixture<SiloProcess>
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Overview_in_chromium_shows_one_active_silo_and_updates_live()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.Add($"console: {message.Text}");
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                problems.Add($"HTTP {response.Status}: {response.Url}");
            }
        };

        await page.GotoAsync(silo.BaseAddress.ToString());
        await page.WaitForSelectorAsync("#app-root[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 60_000 });

        Assert.Equal("1", (await page.InnerTextAsync("[data-testid=active-silo-count]")).Trim());
        Assert.Equal(1, await page.Locator("[data-testid=silo][data-silo-status=Active]").CountAsync());
        Assert.Equal("self-test passed", (await page.InnerTextAsync("[data-testid=torch-status]")).Trim());
        Assert.StartsWith("cpu", (await page.InnerTextAsync("[data-testid=device]")).Trim(), StringComparison.Ordinal);

        var uptime = await page.InnerTextAsync("[data-testid=silo-uptime]");
        await page.WaitForFunctionAsync(
            "previous => document.querySelector('[data-testid=silo-uptime]').innerText !== previous",
            uptime,
            new PageWaitForFunctionOptions { Timeout = 10_000 });

        var screenshots = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
        var shot = Path.Combine(screenshots, "overview.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        Assert.True(new FileInfo(shot).Length > 10_000, "the screenshot is suspiciously small");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
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

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        await page.GotoAsync(new Uri(silo.BaseAddress, "runs").ToString());
        await page.WaitForSelectorAsync("#app-root[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 60_000 });

        var row = $"[data-testid=run][data-run-id='{runId}']";
        await page.WaitForSelectorAsync($"{row}[data-run-state=Completed]", new PageWaitForSelectorOptions { Timeout = 120_000 });
        Assert.Equal("40 / 40", (await page.InnerTextAsync($"{row} [data-testid=run-samples]")).Trim());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName, "runs.png"), FullPage = true });
    }

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does");
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }
}
