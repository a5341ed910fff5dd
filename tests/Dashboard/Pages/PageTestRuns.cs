using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Testing;

namespace VerlOrleans.Dashboard.Tests.Pages;

/// <summary>Small real runs for page tests: the committed tiny chat model over verl's gsm8k test parquet.</summary>
internal static class PageTestRuns
{
    public static string Gsm8k => Path.Combine(
        RepositoryPaths.SharedFolder ?? throw new InvalidOperationException("../shared (verl's gsm8k parquet) is missing next to the checkout"),
        "data", "verl-data", "gsm8k_test.parquet");

    public static RunSpec Spec(string checkpoint, int samples = 6) => new()
    {
        Checkpoint = checkpoint,
        DataFiles = [Gsm8k],
        MaxSamples = samples,
        Sampling = new SamplingSettings { Temperature = 0, MaxTokens = 16 },
        Prompt = new PromptSettings { MaxPromptLength = 512, Truncation = "left" },
    };

    public static async Task<RunStatus> CompleteAsync(IClusterClient client, string runId, RunSpec spec)
    {
        var run = client.GetGrain<IEvaluationRunGrain>(runId);
        await run.StartAsync(spec);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var status = await run.GetStatusAsync();
            if (status.State.IsFinished())
            {
                Assert.Equal(RunState.Completed, status.State);
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{runId} is still {status.State}");
            await Task.Delay(100);
        }
    }
}
