using Microsoft.Playwright;

namespace VerlOrleans.Silo.Tests.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright, one page, with every console error and failed HTTP response recorded
/// (a page that works but logs errors is not done) and screenshots saved under the test output's screenshots/.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BrowserSession(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Problems.Add($"console: {message.Text}");
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                Problems.Add($"HTTP {response.Status}: {response.Url}");
            }
        };
    }

    public IPage Page { get; }

    /// <summary>Console errors and failed responses seen so far.</summary>
    public List<string> Problems { get; } = [];

    public static string ScreenshotFolder { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public static async Task<BrowserSession> StartAsync(int width = 1440, int height = 900)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        return new BrowserSession(playwright, browser, page);
    }

    /// <summary>A second page in the same browser (another tab).</summary>
    public Task<IPage> NewTabAsync() => _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });

    /// <summary>Opens <paramref name="address"/> and waits until the circuit is up (prerendered pages ignore clicks before).</summary>
    public async Task OpenAsync(Uri address)
    {
        await Page.GotoAsync(address.ToString());
        await WaitInteractiveAsync(Page);
    }

    public static Task WaitInteractiveAsync(IPage page) =>
        page.WaitForSelectorAsync("#app-root[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 60_000 });

    /// <summary>Saves a full-page screenshot as screenshots/NAME.png and returns its path.</summary>
    public async Task<string> ShotAsync(string name)
    {
        var path = Path.Combine(ScreenshotFolder, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 10_000, $"the screenshot {name} is suspiciously small");
        return path;
    }

    /// <summary>Fails with every recorded problem, if there were any.</summary>
    public void AssertNoProblems() => Assert.True(Problems.Count == 0, string.Join(Environment.NewLine, Problems));

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
