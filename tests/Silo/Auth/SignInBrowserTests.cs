using VerlOrleans.Contracts.Runs;
using VerlOrleans.Silo.Tests.Browser;

namespace VerlOrleans.Silo.Tests.Auth;

/// <summary>
/// Signing in to the dashboard in a real browser (Debian's Chromium): the sign-in page, a refused token, a read-only
/// session whose actions are disabled with the reason, signing out, and an admin session. Screenshots of each page.
/// </summary>
[Collection(SecuredGridCollection.Name)]
public sealed class SignInBrowserTests(SecuredGridFixture grid)
{
    [Fact]
    public async Task A_read_only_user_signs_in_sees_why_actions_are_disabled_and_signs_out()
    {
        await using var browser = await BrowserSession.StartAsync();
        var page = browser.Page;
        await page.GotoAsync(new Uri(grid.Silo.BaseAddress, "new").ToString());
        Assert.EndsWith("/login?returnUrl=%2Fnew", page.Url, StringComparison.Ordinal);
        await browser.ShotAsync("auth-sign-in");

        await page.FillAsync("#token", "vo_this-is-not-a-token");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=login-failed]");
        await browser.ShotAsync("auth-sign-in-refused");

        await page.FillAsync("#token", grid.BobToken);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => url.EndsWith("/new", StringComparison.Ordinal));
        await BrowserSession.WaitInteractiveAsync(page);
        Assert.Equal("bob · read-only", (await page.InnerTextAsync("[data-testid=caller]")).Trim());
        Assert.Contains("'bob' is signed in read-only", await page.InnerTextAsync("[data-testid=read-only]"), StringComparison.Ordinal);
        Assert.True(await page.IsDisabledAsync("[data-testid=start]"));
        await browser.ShotAsync("auth-new-evaluation-read-only");

        await page.GotoAsync(new Uri(grid.Silo.BaseAddress, "runs").ToString());
        await BrowserSession.WaitInteractiveAsync(page);
        await browser.ShotAsync("auth-runs-read-only");

        await page.ClickAsync("[data-testid=sign-out] button");
        await page.WaitForURLAsync(url => url.EndsWith("/login", StringComparison.Ordinal));
        await page.GotoAsync(new Uri(grid.Silo.BaseAddress, "runs").ToString());
        Assert.Contains("/login?returnUrl=%2Fruns", page.Url, StringComparison.Ordinal);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task An_admin_signs_in_and_may_start()
    {
        await using var browser = await BrowserSession.StartAsync();
        var page = browser.Page;
        await page.GotoAsync(new Uri(grid.Silo.BaseAddress, "new").ToString());
        await page.FillAsync("#token", grid.AliceToken);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => url.EndsWith("/new", StringComparison.Ordinal));
        await BrowserSession.WaitInteractiveAsync(page);
        Assert.Equal("alice · admin", (await page.InnerTextAsync("[data-testid=caller]")).Trim());
        Assert.Equal(0, await page.Locator("[data-testid=read-only]").CountAsync());
        Assert.False(await page.IsDisabledAsync("[data-testid=start]"));
        await browser.ShotAsync("auth-new-evaluation-admin");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task An_admin_deletes_a_finished_run_from_its_page_after_confirming_and_a_reader_cannot()
    {
        using var alice = new GridApiClient(grid.Silo.BaseAddress, grid.AliceToken);
        await alice.StartRunAsync(SecuredGridFixture.Spec(samples: 2, maxTokens: 4), "to-delete");
        var finished = await alice.WaitAsync("to-delete", s => s.State.IsFinished(), TimeSpan.FromMinutes(2));
        Assert.True(Directory.Exists(finished.ResultsDirectory));

        await using var browser = await BrowserSession.StartAsync();
        var page = browser.Page;
        await SignInAsync(page, "runs/to-delete", grid.BobToken);
        Assert.True(await page.IsDisabledAsync("[data-testid=delete-run]"));
        await page.ClickAsync("[data-testid=sign-out] button");
        await page.WaitForURLAsync(url => url.EndsWith("/login", StringComparison.Ordinal));

        await SignInAsync(page, "runs/to-delete", grid.AliceToken);
        await page.ClickAsync("[data-testid=delete-run]");
        await page.WaitForSelectorAsync(".mud-dialog");
        Assert.Contains("Delete run to-delete?", await page.InnerTextAsync(".mud-dialog"), StringComparison.Ordinal);
        await browser.ShotAsync("auth-delete-run-confirm");
        await page.ClickAsync(".mud-dialog button:has-text('Delete')");
        await page.WaitForURLAsync(url => url.EndsWith("/runs", StringComparison.Ordinal));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await alice.Http.GetAsync("api/runs/to-delete")).StatusCode);
        Assert.False(Directory.Exists(finished.ResultsDirectory), "the results folder is still there");
        browser.AssertNoProblems();
    }

    private async Task SignInAsync(Microsoft.Playwright.IPage page, string path, string token)
    {
        await page.GotoAsync(new Uri(grid.Silo.BaseAddress, path).ToString());
        await page.FillAsync("#token", token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => url.EndsWith("/" + path, StringComparison.Ordinal));
        await BrowserSession.WaitInteractiveAsync(page);
    }
}
