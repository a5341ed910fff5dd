using System.Net;

namespace VerlOrleans.Silo.Tests.Auth;

/// <summary>
/// The dashboard's pages, <c>/orleans</c> and result downloads on a grid with tokens: a visitor without a session is sent
/// to the sign-in page (and back after), a wrong token gets no session, a read-only session sees pages but changes
/// nothing, an admin session may, and signing out ends the session.
/// </summary>
[Collection(SecuredGridCollection.Name)]
public sealed class DashboardAuthorizationTests(SecuredGridFixture grid)
{
    private static readonly string[] Pages = ["/", "/runs", "/sweeps", "/checkpoints", "/models", "/new", "/compare", "/runs/no-such-run", "/orleans/"];

    [Fact]
    public async Task Without_a_session_every_page_redirects_to_sign_in_and_back()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = grid.Silo.BaseAddress };
        foreach (var page in Pages)
        {
            using var response = await http.GetAsync(page.TrimStart('/'));
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{page}: {(int)response.StatusCode}");
            Assert.Equal($"/login?returnUrl={Uri.EscapeDataString(page)}", response.Headers.Location!.PathAndQuery);
        }

        using var login = await http.GetAsync("login");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var html = await login.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"login-form\"", html, StringComparison.Ordinal);
        // Nothing of the grid shows before sign-in: no navigation, no run ids.
        Assert.DoesNotContain("Orleans dashboard", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_token_gets_no_session_and_the_form_says_so()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = grid.Silo.BaseAddress };
        using var response = await SecuredGridFixture.PostSignInAsync(http, grid.BobToken + "x", "/runs");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login?failed=1&returnUrl=%2Fruns", response.Headers.Location!.OriginalString);
        Assert.Contains("data-testid=\"login-failed\"", await http.GetStringAsync("login?failed=1&returnUrl=%2Fruns"), StringComparison.Ordinal);
        using var runs = await http.GetAsync("runs");
        Assert.Equal(HttpStatusCode.Redirect, runs.StatusCode);
    }

    [Fact]
    public async Task Sign_in_sends_only_to_pages_of_this_site()
    {
        foreach (var target in new[] { "https://evil.example/", "//evil.example/x", "/\\evil.example" })
        {
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = grid.Silo.BaseAddress };
            using var response = await SecuredGridFixture.PostSignInAsync(http, grid.BobToken, target);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/", response.Headers.Location!.OriginalString);
        }
    }

    [Fact]
    public async Task A_read_only_session_sees_every_page_downloads_results_but_cannot_write()
    {
        using var bob = await grid.SignInAsync(grid.BobToken);
        foreach (var page in Pages)
        {
            using var response = await bob.GetAsync(page.TrimStart('/'));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{page} as bob: {SecuredGridFixture.Describe(response, body)}");
            if (!page.StartsWith("/orleans", StringComparison.Ordinal))
            {
                Assert.Contains("bob · read-only", body, StringComparison.Ordinal);
            }
        }

        // The session reaches the API for downloads (an unknown run: 404, not 401) but not for writes.
        using var download = await bob.GetAsync("api/runs/no-such-run/files/metrics.json");
        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        using var cancel = await bob.PostAsync("api/runs/no-such-run/cancel", null);
        Assert.Equal(HttpStatusCode.Forbidden, cancel.StatusCode);
        Assert.Contains("'bob' is signed in read-only", await cancel.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_session_writes_and_signing_out_ends_it()
    {
        using var alice = await grid.SignInAsync(grid.AliceToken);
        var overview = await alice.GetStringAsync("");
        Assert.Contains("alice · admin", overview, StringComparison.Ordinal);
        using (var cancel = await alice.PostAsync("api/runs/no-such-run/cancel", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        }

        using (var signOut = await alice.PostAsync("auth/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = SecuredGridFixture.Antiforgery(overview) })))
        {
            Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
            Assert.Equal("/login", signOut.Headers.Location!.OriginalString);
        }

        using var after = await alice.GetAsync("runs");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }
}
