using System.Net;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests;

/// <summary>The host's HTTP surface: health, liveness, the Orleans dashboard, and a 127.0.0.1 binding.</summary>
public sealed class HostEndpointsTests(SiloProcess silo) : IClassFixture<SiloProcess>
{
    private HttpClient Http { get; } = new() { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    [Theory]
    [InlineData("health")]
    [InlineData("alive")]
    public async Task Health_endpoints_report_healthy(string path)
    {
        var response = await Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_orleans_dashboard_is_served_under_its_prefix()
    {
        var response = await Http.GetAsync("orleans/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Orleans", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_dashboard_static_assets_are_served_outside_development()
    {
        var page = await Http.GetStringAsync("");
        var css = System.Text.RegularExpressions.Regex.Match(page, "_content/MudBlazor/MudBlazor[^\"]*\\.css").Value;

        Assert.NotEmpty(css);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(css)).StatusCode);
    }

    [Fact]
    public async Task The_open_loopback_grid_needs_no_sign_in_and_says_so()
    {
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = silo.BaseAddress };
        var overview = await noRedirects.GetAsync("");
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        Assert.DoesNotContain("data-testid=\"caller\"", await overview.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Every caller is the open grid's admin: a write gets past authorization to its own answer (no such run).
        Assert.Equal(HttpStatusCode.NotFound, (await noRedirects.PostAsync("api/runs/no-such-run/cancel", null)).StatusCode);
        var login = await noRedirects.GetStringAsync("login");
        Assert.Contains("data-testid=\"open-grid\"", login, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"login-form\"", login, StringComparison.Ordinal);
    }
}
