using Bunit;
using VerlOrleans.Contracts.Access;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Dashboard.Access;
using VerlOrleans.Dashboard.Pages;
using VerlOrleans.Testing;

namespace VerlOrleans.Dashboard.Tests.Pages;

/// <summary>The new-evaluation form on the real cluster: a bad field is refused next to itself and nothing starts.</summary>
[Collection(GridClusterCollection.Name)]
public sealed class NewEvaluationPageTests(GridClusterFixture fixture) : IAsyncLifetime
{
    private readonly BunitContext _context = DashboardTestContext.Create(fixture);

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Bad_fields_are_refused_next_to_them_and_no_run_starts()
    {
        var catalog = fixture.Client.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey);
        var runsBefore = (await catalog.GetSnapshotAsync()).Runs.Count;
        var page = _context.Render<NewEvaluation>();

        page.Find("[data-testid=field-checkpoints] textarea").Change(TinyChatModel.Folder);
        var missing = Path.Combine(Path.GetTempPath(), "verlorleans-tests", "no-such", "data.parquet");
        page.Find("[data-testid=field-dataFiles] textarea").Change(missing + "\n/etc/passwd");
        page.Find("[data-testid=field-n] input").Change("0");
        page.Find("[data-testid=field-topP] input").Change("1.5");
        await page.Find("[data-testid=start] ").ClickAsync(new());

        page.WaitForAssertion(() => page.Find("[data-testid=form-refused]"), TimeSpan.FromSeconds(30));
        Assert.Equal(["dataFiles", "sampling.n", "sampling.topP"], page.FindAll("[data-testid=form-error]").Select(e => e.GetAttribute("data-field")).Order(StringComparer.Ordinal));
        Assert.Contains("must be between 1 and 256, got 0", page.Find("[data-testid=field-n]").TextContent, StringComparison.Ordinal);
        Assert.Contains($"{missing}: file not found", page.Find("[data-testid=field-dataFiles]").TextContent, StringComparison.Ordinal);
        Assert.Contains("/etc/passwd is outside the folders this grid may read", page.Find("[data-testid=field-dataFiles]").TextContent, StringComparison.Ordinal);
        Assert.Contains("got 1.5", page.Find("[data-testid=field-topP]").TextContent, StringComparison.Ordinal);
        Assert.Contains("One checkpoint: tiny-chat", page.Find("[data-testid=field-checkpoints]").TextContent, StringComparison.Ordinal);
        Assert.Equal(runsBefore, (await catalog.GetSnapshotAsync()).Runs.Count);
    }

    [Fact]
    public async Task A_read_only_caller_sees_why_the_start_is_disabled()
    {
        await using var context = DashboardTestContext.Create(fixture, "bob", GridRoles.Read);
        var page = context.Render<NewEvaluation>(p => p.AddCascadingValue(new GridCaller("bob", IsAdmin: false, IsOpen: false)));
        Assert.Contains("'bob' is signed in read-only", page.Find("[data-testid=read-only]").TextContent, StringComparison.Ordinal);
        Assert.True(page.Find("[data-testid=start]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task A_start_from_a_read_only_session_is_refused_on_the_server_whatever_the_page_shows()
    {
        // The page is told the caller is an admin (a stale or forged view); the session behind the circuit is read-only.
        await using var context = DashboardTestContext.Create(fixture, "bob", GridRoles.Read);
        var catalog = fixture.Client.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey);
        var runsBefore = (await catalog.GetSnapshotAsync()).Runs.Count;
        var page = context.Render<NewEvaluation>(p => p.AddCascadingValue(new GridCaller("bob", IsAdmin: true, IsOpen: false)));
        page.Find("[data-testid=field-checkpoints] textarea").Change(TinyChatModel.Folder);
        page.Find("[data-testid=field-dataFiles] textarea").Change(GridRuns.Gsm8k);
        await page.Find("[data-testid=start]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("'bob' is signed in read-only", page.Find("[data-testid=refusal]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Equal(runsBefore, (await catalog.GetSnapshotAsync()).Runs.Count);
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();
}
