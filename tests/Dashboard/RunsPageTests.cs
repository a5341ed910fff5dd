using Bunit;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Dashboard.Pages;
using VerlOrleans.Testing;

namespace VerlOrleans.Dashboard.Tests;

/// <summary>The Runs page follows a real run on the real cluster until it completes.</summary>
[Collection(GridClusterCollection.Name)]
public sealed class RunsPageTests(GridClusterFixture fixture) : IAsyncLifetime
{
    private readonly BunitContext _context = DashboardTestContext.Create(fixture);

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_run_appears_and_is_followed_live_to_completion()
    {
        var shared = RepositoryPaths.SharedFolder ?? throw new InvalidOperationException("../shared (verl's gsm8k parquet) is missing next to the checkout");
        var runId = $"page-{Guid.NewGuid():N}";
        await fixture.Client.GetGrain<IEvaluationRunGrain>(runId).StartAsync(new RunSpec
        {
            Checkpoint = TinyChatModel.Folder,
            DataFiles = [Path.Combine(shared, "data", "verl-data", "gsm8k_test.parquet")],
            MaxSamples = 6,
            Sampling = new SamplingSettings { Temperature = 0, MaxTokens = 24 },
            Prompt = new PromptSettings { MaxPromptLength = 512, Truncation = "left" },
        });

        var page = _context.Render<Runs>();

        page.WaitForAssertion(() =>
        {
            var row = page.Find($"[data-testid=run][data-run-id='{runId}']");
            Assert.Equal("Completed", row.GetAttribute("data-run-state"));
            Assert.Equal("6 / 6", row.QuerySelector("[data-testid=run-samples]")!.TextContent.Trim());
            Assert.Contains("openai/gsm8k", row.QuerySelector("[data-testid=run-score]")!.TextContent, StringComparison.Ordinal);
        }, TimeSpan.FromMinutes(2));
    }

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();
}
