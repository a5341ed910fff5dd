using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Samples;
using VerlOrleans.Dashboard.Components;
using VerlOrleans.Dashboard.Pages;
using VerlOrleans.Testing;

namespace VerlOrleans.Dashboard.Tests.Pages;

/// <summary>
/// The run page, its samples grid and the sample page on one real completed run of the real cluster: what they show
/// is what the run grain and its results say.
/// </summary>
[Collection(GridClusterCollection.Name)]
public sealed class RunPagesTests(GridClusterFixture fixture) : IAsyncLifetime
{
    private readonly BunitContext _context = DashboardTestContext.Create(fixture);
    private readonly string _runId = $"run-page-{Guid.NewGuid():N}";
    private RunStatus _status = null!;

    public async Task InitializeAsync() => _status = await GridRuns.CompleteAsync(fixture.Client, _runId, GridRuns.Greedy(TinyChatModel.Folder, 8));

    [Fact]
    public void The_run_page_shows_progress_manifest_prompt_report_and_a_link_to_every_results_file()
    {
        var page = _context.Render<RunPage>(p => p.Add(x => x.RunId, _runId));

        page.WaitForAssertion(() =>
        {
            Assert.Equal("Completed", page.Find("[data-testid=run-page]").GetAttribute("data-run-state"));
            Assert.Equal("8 / 8", page.Find("[data-testid=run-samples]").TextContent.Trim());
            Assert.Single(page.FindAll("[data-testid=manifest-input]"));
            Assert.Equal("8", page.Find("[data-testid=prompts-kept]").TextContent.Trim());
        }, TimeSpan.FromSeconds(30));
        Assert.Equal("tiny-chat", page.Find("[data-testid=run-checkpoint]").TextContent.Trim());
        Assert.Contains("gsm8k_test.parquet", page.Find("[data-testid=manifest-input]").TextContent, StringComparison.Ordinal);
        var links = page.FindAll("[data-testid=downloads] a").Select(a => a.GetAttribute("href")).ToList();
        foreach (var name in new[] { "metrics.json", "results.jsonl", "manifest.json" })
        {
            Assert.Contains(RunFiles.Href(_runId, name), links);
        }

        // A finished run has nothing to cancel.
        Assert.Empty(page.FindAll("[data-testid=cancel-run]"));
    }

    [Fact]
    public async Task The_samples_grid_pages_sorts_and_filters_through_the_run_grain()
    {
        var all = await fixture.Client.GetGrain<IEvaluationRunGrain>(_runId).QuerySamplesAsync(new SampleQuery { Count = 100 });
        Assert.Equal(8, all.Total);
        var longest = all.Rows.MaxBy(r => r.ResponseTokens ?? 0)!;
        var finish = all.Rows[0].FinishReason!;
        var navigation = _context.Services.GetRequiredService<NavigationManager>();

        navigation.NavigateTo($"/runs/{_runId}/samples?sort=responsetokens&desc=1");
        var sorted = _context.Render<SamplesGrid>(p => p.Add(x => x.RunId, _runId));
        sorted.WaitForAssertion(() => Assert.Equal(8, sorted.FindAll("[data-testid=sample]").Count));
        Assert.Equal(longest.ResponseTokens, all.Rows.First(r => r.Uid == sorted.Find("[data-testid=sample]").GetAttribute("data-uid")).ResponseTokens);

        navigation.NavigateTo($"/runs/{_runId}/samples?finish={finish}");
        var filtered = _context.Render<SamplesGrid>(p => p.Add(x => x.RunId, _runId));
        var expected = all.Rows.Count(r => r.FinishReason == finish);
        filtered.WaitForAssertion(() => Assert.Equal($"{expected} of 8 samples", filtered.Find("[data-testid=samples-count]").TextContent.Trim()));
        Assert.Equal(expected, filtered.FindAll("[data-testid=sample]").Count);

        navigation.NavigateTo($"/runs/{_runId}/samples?q=no-such-text-anywhere");
        var none = _context.Render<SamplesGrid>(p => p.Add(x => x.RunId, _runId));
        none.WaitForAssertion(() => Assert.Equal("No sample matches these filters.", none.Find("[data-testid=no-samples]").TextContent.Trim()));
    }

    [Fact]
    public async Task A_sample_page_shows_the_prompt_response_and_ground_truth_of_that_sample()
    {
        var row = (await fixture.Client.GetGrain<IEvaluationRunGrain>(_runId).QuerySamplesAsync(new SampleQuery { Count = 1 })).Rows[0];
        var detail = (await fixture.Client.GetGrain<IEvaluationRunGrain>(_runId).GetSampleAsync(row.Uid, row.SampleIndex))!;

        var page = _context.Render<VerlOrleans.Dashboard.Pages.SamplePage>(p => p.Add(x => x.RunId, _runId).Add(x => x.Uid, row.Uid).Add(x => x.SampleIndex, row.SampleIndex));

        page.WaitForAssertion(() => Assert.Equal(detail.PromptText, page.Find("[data-testid=sample-prompt]").TextContent));
        Assert.Equal(detail.ResponseText, page.Find("[data-testid=sample-response]").TextContent);
        // verl stores gsm8k's ground truth as a JSON string; the page shows its text.
        Assert.Equal(System.Text.Json.JsonSerializer.Deserialize<string>(detail.GroundTruthJson!), page.Find("[data-testid=sample-ground-truth]").TextContent);
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();
}
