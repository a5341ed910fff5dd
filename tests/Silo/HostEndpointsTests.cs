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
}
