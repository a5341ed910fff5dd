using System.Net.Http.Json;
using Microsoft.Playwright;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using SampleResult = VerlOrleans.Evaluation.Results.SampleResult;
using SampleResultJson = VerlOrleans.Evaluation.Results.SampleResultJson;
using VerlOrleans.Silo.Tests.Browser;
using VerlOrleans.Testing;
using Xunit.Abstractions;

namespace VerlOrleans.Silo.Tests;

/// <summary>
/// The dashboard an RL engineer keeps open, in Debian's Chromium against the real silo process: a sweep over a
/// multi-step verl run folder submitted over HTTP gets a chart point per finished step as it goes, a sample opens
/// with its prompt and response, every page renders without console errors (screenshots under screenshots/),
/// and the new-evaluation form refuses a bad field next to it without starting anything.
/// </summary>
public sealed class DashboardEndToEndTests(SiloProcess silo, ITestOutputHelper output) : IClassFixture<SiloProcess>, IDisposable
{
    private const int Steps = 3;
    private readonly TempDirectory _folder = new("dashboard-e2e");

    public void Dispose() => _folder.Dispose();

    private static string Gsm8k => Path.Combine(RepositoryPaths.SharedFolder ?? throw new InvalidOperationException("../shared is missing next to the checkout"), "data", "verl-data", "gsm8k_test.parquet");

    [Fact]
    public async Task A_sweep_is_charted_point_by_point_and_its_samples_open_with_prompt_and_response()
    {
        var runFolder = _folder.Combine("grpo_demo");
        VerlRunFolderBuilder.Write(runFolder, Steps);
        using var api = new GridApiClient(silo.BaseAddress);
        var sweepId = "e2e-sweep";
        var template = new RunSpec
        {
            Checkpoint = "",
            DataFiles = [Gsm8k],
            MaxSamples = 24,
            Sampling = new SamplingSettings { Temperature = 0, MaxTokens = 48 },
            Prompt = new PromptSettings { MaxPromptLength = 512, Truncation = "left" },
            BatchSize = 4,
        };
        await using var browser = await BrowserSession.StartAsync();
        var page = browser.Page;
        // The page is open before the sweep exists, as when a user keeps it open: it must follow the sweep from start to
        // end without a reload. A recorder in the page notes every (finished points / running points) the chart shows.
        await browser.OpenAsync(new Uri(silo.BaseAddress, $"sweeps/{sweepId}"));
        await page.WaitForSelectorAsync("[data-testid=sweep-unknown]");
        await page.EvaluateAsync("""
            () => { window.chartStates = []; setInterval(() => {
                const chart = document.querySelector('[data-testid=sweep-chart]');
                const state = chart ? chart.dataset.points + '/' + chart.dataset.provisional : null;
                if (state && window.chartStates[window.chartStates.length - 1] !== state) window.chartStates.push(state);
            }, 25); }
            """);
        var response = await api.Http.PostAsJsonAsync("api/sweeps", new { spec = new SweepSpec([runFolder], template, MaxConcurrentRuns: 1), sweepId }, GridApiClient.Json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await page.WaitForSelectorAsync("[data-testid=sweep-chart]", new PageWaitForSelectorOptions { Timeout = 60_000 });
        await browser.ShotAsync("sweep-running");
        await page.WaitForSelectorAsync("[data-testid=sweep-page][data-finished=true]", new PageWaitForSelectorOptions { Timeout = 180_000 });
        var states = await page.EvaluateAsync<string[]>("() => window.chartStates");
        output.WriteLine($"chart states: {string.Join(" ", states)}");
        // One run at a time: the finished points rise 1, 2, 3 (each its own push), and a running value was drawn meanwhile.
        var finished = states.Select(s => int.Parse(s.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        Assert.Equal(finished.Order(), finished);
        Assert.True(Enumerable.Range(1, Steps).All(finished.Contains), $"every step appeared as its own point: {string.Join(" ", states)}");
        Assert.Contains(states, s => s.EndsWith("/1", StringComparison.Ordinal));
        Assert.Equal($"{Steps}/0", states[^1]);

        // Plotly drew them: one marker per step on the data source's line.
        await page.WaitForFunctionAsync($"n => document.querySelectorAll('[data-testid=sweep-chart] .scatterlayer .trace .points path').length >= n", Steps);
        var rows = page.Locator("[data-testid=sweep-row]");
        Assert.Equal(Steps, await rows.CountAsync());
        Assert.Equal(Enumerable.Range(1, Steps).Select(s => $"grpo_demo/step_{s}"),
            (await page.Locator("[data-testid=sweep-row] td:nth-child(2)").AllInnerTextsAsync()).Select(t => t.Trim()));
        await browser.ShotAsync("sweep");

        // The runs list names checkpoints by run folder and step, not "actor".
        await browser.OpenAsync(new Uri(silo.BaseAddress, "runs"));
        await page.WaitForSelectorAsync($"[data-testid=run][data-run-id='{sweepId}-001'] [data-testid=run-checkpoint]");
        Assert.Equal("grpo_demo/step_1", (await page.InnerTextAsync($"[data-testid=run][data-run-id='{sweepId}-001'] [data-testid=run-checkpoint]")).Trim());
        await browser.ShotAsync("runs-list");

        var runId = $"{sweepId}-002";
        await browser.OpenAsync(new Uri(silo.BaseAddress, $"runs/{runId}"));
        await page.WaitForSelectorAsync("[data-testid=run-page][data-run-state=Completed] [data-testid=metrics]");
        Assert.Equal("24 / 24", (await page.InnerTextAsync("[data-testid=run-samples]")).Trim());
        Assert.Equal(1, await page.Locator("[data-testid=manifest-input]").CountAsync());
        await browser.ShotAsync("run");

        // Samples: page through the run grain, open one, and find the very prompt and response of the results file.
        await page.ClickAsync("text=Samples (24)");
        await page.WaitForSelectorAsync("[data-testid=sample]");
        Assert.Equal("24 of 24 samples", (await page.InnerTextAsync("[data-testid=samples-count]")).Trim());
        await browser.ShotAsync("samples");
        var first = page.Locator("[data-testid=sample]").First;
        var uid = await first.GetAttributeAsync("data-uid");
        await page.Locator("[data-testid=sample-link]").First.ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=sample-page]");
        var results = await ReadResultsAsync(api, runId);
        var expected = results.Single(r => r.Uid == uid && r.SampleIndex == 0);
        Assert.Equal(expected.PromptText, await page.TextContentAsync("[data-testid=sample-prompt]"));
        Assert.Equal(expected.ResponseText, await page.TextContentAsync("[data-testid=sample-response]"));
        Assert.Contains("<|im_start|>user", expected.PromptText, StringComparison.Ordinal);
        await browser.ShotAsync("sample");

        await browser.OpenAsync(new Uri(silo.BaseAddress, "checkpoints"));
        // Every step of the run folder (the form test of this class may have added the tiny model too).
        var steps = $"[data-testid=checkpoint][data-state=Ready][data-path^='{runFolder}/global_step_']";
        await page.WaitForSelectorAsync(steps);
        Assert.Equal(Steps, await page.Locator(steps).CountAsync());
        await browser.ShotAsync("checkpoints");

        await browser.OpenAsync(new Uri(silo.BaseAddress, "models"));
        await page.WaitForSelectorAsync("[data-testid=model], [data-testid=no-models]");
        await browser.ShotAsync("models");

        await browser.OpenAsync(new Uri(silo.BaseAddress, "sweeps"));
        await page.WaitForSelectorAsync($"[data-testid=sweep][data-sweep-id='{sweepId}'][data-finished=true]");
        await browser.ShotAsync("sweeps");

        await browser.OpenAsync(new Uri(silo.BaseAddress, $"compare?runs={sweepId}-001,{sweepId}-003"));
        await page.WaitForSelectorAsync("[data-testid=compare-prompt]");
        await page.Locator("[data-testid=compare-prompt]").First.ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=side-by-side]");
        Assert.Equal(2, await page.Locator("[data-testid=side-column]").CountAsync());
        await browser.ShotAsync("compare-tiny");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task The_new_evaluation_form_refuses_a_bad_field_next_to_it_and_starts_nothing()
    {
        await using var browser = await BrowserSession.StartAsync();
        var page = browser.Page;
        using var api = new GridApiClient(silo.BaseAddress);
        var runsBefore = (await api.Http.GetFromJsonAsync<List<System.Text.Json.Nodes.JsonObject>>("api/runs", GridApiClient.Json))!.Count;
        await browser.OpenAsync(new Uri(silo.BaseAddress, "new"));

        await page.FillAsync("[data-testid=field-checkpoints] textarea", TinyChatModel.Folder);
        var missing = Path.Combine(Path.GetTempPath(), "verlorleans-tests", "no-such", "file.parquet");
        await page.FillAsync("[data-testid=field-dataFiles] textarea", $"{Gsm8k}\n{missing}\n/etc/passwd");
        await page.FillAsync("[data-testid=field-temperature] input", "-1");
        await page.FillAsync("[data-testid=field-maxTokens] input", "100000000");
        await page.Keyboard.PressAsync("Tab");
        await page.ClickAsync("[data-testid=start]");

        await page.WaitForSelectorAsync("[data-testid=form-refused]");
        // Each refusal stands next to its own field (the expectations retry until the render lands).
        await Assertions.Expect(page.Locator("[data-testid=field-temperature]")).ToContainTextAsync("must be between 0 (greedy) and 10, got -1");
        await Assertions.Expect(page.Locator("[data-testid=field-maxTokens]")).ToContainTextAsync("must be between 1 and 32768, got 100000000");
        await Assertions.Expect(page.Locator("[data-testid=field-dataFiles]")).ToContainTextAsync($"{missing}: file not found");
        await Assertions.Expect(page.Locator("[data-testid=field-dataFiles]")).ToContainTextAsync("/etc/passwd is outside the folders this grid may read");
        await Assertions.Expect(page.Locator("[data-testid=field-checkpoints]")).ToContainTextAsync("One checkpoint");
        Assert.DoesNotContain($"{missing}: {missing}", await page.InnerTextAsync("[data-testid=field-dataFiles]"), StringComparison.Ordinal);
        await browser.ShotAsync("new-refused");
        Assert.EndsWith("/new", page.Url, StringComparison.Ordinal);
        Assert.Equal(runsBefore, (await api.Http.GetFromJsonAsync<List<System.Text.Json.Nodes.JsonObject>>("api/runs", GridApiClient.Json))!.Count);

        // Fixed, the same form starts the run and goes to its page.
        await page.FillAsync("[data-testid=field-dataFiles] textarea", Gsm8k);
        await page.FillAsync("[data-testid=field-temperature] input", "0");
        await page.FillAsync("[data-testid=field-maxTokens] input", "16");
        await page.FillAsync("[data-testid=field-maxSamples] input", "4");
        await page.FillAsync("[data-testid=field-maxPromptLength] input", "512");
        await page.ClickAsync("[data-testid=start]");
        await page.WaitForURLAsync("**/runs/run-*", new PageWaitForURLOptions { Timeout = 30_000 });
        await page.WaitForSelectorAsync("[data-testid=run-page]");
        await browser.ShotAsync("new-started");
        browser.AssertNoProblems();
    }

    private static async Task<List<SampleResult>> ReadResultsAsync(GridApiClient api, string runId)
    {
        var text = await api.Http.GetStringAsync($"api/runs/{runId}/files/results.jsonl");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select((line, i) => SampleResultJson.FromLine(line, $"line {i + 1}")).ToList();
    }
}
