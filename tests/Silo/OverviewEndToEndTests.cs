using VerlOrleans.Testing;
using Microsoft.Playwright;

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
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
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
}
