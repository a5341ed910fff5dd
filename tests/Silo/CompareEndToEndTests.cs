using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Silo.Tests.Browser;
using VerlOrleans.Testing;
using SampleResultJson = VerlOrleans.Evaluation.Results.SampleResultJson;

namespace VerlOrleans.Silo.Tests;

/// <summary>
/// The compare page in Debian's Chromium on three real runs whose flips are known in advance. The same 20 prompts
/// (the same <c>uid</c> column) are evaluated three times, n = 2 samples each, with ground truths chosen per run so
/// that verl's <c>math_dapo</c> rule marks exactly a chosen set of prompts correct: a response without an
/// <c>Answer:</c> line is normalised to <c>[INVALID]</c> by verl, so ground truth <c>[INVALID]</c> is correct for it
/// and <c>42</c> is not (the results files are checked for exactly that before the page is). Run A solves prompts
/// 0–9, B solves 5–14 and C all 20, so against A: B solved 10–14 and broke 0–4; C solved 10–19 and broke none.
/// </summary>
public sealed class CompareEndToEndTests(SiloProcess silo) : IClassFixture<SiloProcess>, IDisposable
{
    private const int Prompts = 20;
    private readonly TempDirectory _folder = new("compare-e2e");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_compare_page_counts_and_filters_the_flips_two_runs_were_built_to_have()
    {
        var solvedBy = new Dictionary<string, HashSet<int>>
        {
            ["flips-a"] = [.. Enumerable.Range(0, 10)],
            ["flips-b"] = [.. Enumerable.Range(5, 10)],
            ["flips-c"] = [.. Enumerable.Range(0, Prompts)],
        };
        using var api = new GridApiClient(silo.BaseAddress);
        foreach (var (runId, solved) in solvedBy)
        {
            var data = WriteDataset(_folder.Combine($"{runId}.jsonl"), solved);
            var spec = new RunSpec
            {
                Checkpoint = TinyChatModel.Folder,
                DataFiles = [data],
                Sampling = new SamplingSettings { N = 2, Temperature = 1, Seed = 7, MaxTokens = 12 },
                Prompt = new PromptSettings { MaxPromptLength = 256 },
                BatchSize = Prompts,
            };
            var response = await api.Http.PostAsJsonAsync("api/runs", new { spec, runId }, GridApiClient.Json);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        foreach (var (runId, solved) in solvedBy)
        {
            var status = await api.WaitAsync(runId, s => s.State.IsFinished(), TimeSpan.FromMinutes(3));
            Assert.Equal(RunState.Completed, status.State);
            // The construction holds in the results themselves: every sample of a chosen prompt is correct, no other is.
            var results = (await api.Http.GetStringAsync($"api/runs/{runId}/files/results.jsonl"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select((line, i) => SampleResultJson.FromLine(line, $"line {i + 1}")).ToList();
            Assert.Equal(Prompts * 2, results.Count);
            Assert.All(results, r => Assert.Equal(solved.Contains(int.Parse(r.Uid[1..], System.Globalization.CultureInfo.InvariantCulture)), r.Score > 0));
        }

        await using var browser = await BrowserSession.StartAsync();
        var page = browser.Page;
        await browser.OpenAsync(new Uri(silo.BaseAddress, "compare?runs=flips-a,flips-b,flips-c"));
        await page.WaitForSelectorAsync("[data-testid=compare-prompt]");
        var cards = page.Locator("[data-testid=compare-run]");
        Assert.Equal(3, await cards.CountAsync());
        Assert.Equal(["10", "10", "20"], (await page.Locator("[data-testid=solved-count]").AllInnerTextsAsync()).Select(t => t.Trim()));
        Assert.Equal("+5 solved", (await cards.Nth(1).Locator("[data-testid=count-solved]").InnerTextAsync()).Trim());
        Assert.Equal("−5 broken", (await cards.Nth(1).Locator("[data-testid=count-broken]").InnerTextAsync()).Trim());
        Assert.Equal("10 unchanged", (await cards.Nth(1).Locator("[data-testid=count-same]").InnerTextAsync()).Trim());
        Assert.Equal("+10 solved", (await cards.Nth(2).Locator("[data-testid=count-solved]").InnerTextAsync()).Trim());
        Assert.Equal("−0 broken", (await cards.Nth(2).Locator("[data-testid=count-broken]").InnerTextAsync()).Trim());
        await browser.ShotAsync("compare");

        // The chips filter the table to exactly those prompts.
        // (Two filters in a row both read "5 of 20 prompts": wait for the rows themselves, the page renders them a moment later.)
        await cards.Nth(1).Locator("[data-testid=count-solved]").ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=compare-count]:has-text('5 of 20 prompts')");
        await WaitForUidsAsync(page, ["q10", "q11", "q12", "q13", "q14"]);
        await cards.Nth(1).Locator("[data-testid=count-broken]").ClickAsync();
        await WaitForUidsAsync(page, ["q00", "q01", "q02", "q03", "q04"]);
        await page.WaitForSelectorAsync("[data-testid=compare-count]:has-text('5 of 20 prompts')");
        await cards.Nth(2).Locator("[data-testid=count-solved]").ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=compare-count]:has-text('10 of 20 prompts')");
        await WaitForUidsAsync(page, [.. Enumerable.Range(10, 10).Select(i => $"q{i:D2}")]);

        // A prompt opens to its samples side by side: one column per run, both samples of each, the texts of the files.
        await page.Locator("[data-testid=compare-prompt][data-uid=q12]").ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=side-by-side]");
        Assert.Equal(3, await page.Locator("[data-testid=side-column]").CountAsync());
        Assert.Equal(6, await page.Locator("[data-testid=side-by-side] [data-testid=side-sample]").CountAsync());
        var bResults = (await api.Http.GetStringAsync("api/runs/flips-b/files/results.jsonl"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select((line, i) => SampleResultJson.FromLine(line, $"line {i + 1}"))
            .Where(r => r.Uid == "q12").OrderBy(r => r.SampleIndex).ToList();
        var bTexts = await page.Locator("[data-testid=side-column]").Nth(1).Locator("[data-testid=side-response]").AllTextContentsAsync();
        Assert.Equal(bResults.Select(r => r.ResponseText), bTexts);
        await browser.ShotAsync("compare-open");
        browser.AssertNoProblems();
    }

    /// <summary>Waits (up to 10 s) for the table to list exactly <paramref name="expected"/>, then asserts it.</summary>
    private static async Task WaitForUidsAsync(IPage page, IReadOnlyList<string> expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var uids = await UidsAsync(page);
        while (!uids.SequenceEqual(expected) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            uids = await UidsAsync(page);
        }

        Assert.Equal(expected, uids);
    }

    private static async Task<List<string>> UidsAsync(IPage page)
    {
        var uids = new List<string>();
        foreach (var row in await page.Locator("[data-testid=compare-prompt]").AllAsync())
        {
            uids.Add((await row.GetAttributeAsync("data-uid"))!);
        }

        return uids;
    }

    /// <summary>The same 20 prompts and uids; ground truth "[INVALID]" (what verl makes of no answer) where the run is to be correct.</summary>
    private static string WriteDataset(string path, HashSet<int> solved)
    {
        using var writer = new StreamWriter(path);
        for (var i = 0; i < Prompts; i++)
        {
            var row = new JsonObject
            {
                ["uid"] = $"q{i:D2}",
                ["data_source"] = "math_dapo",
                ["prompt"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"What is {i} plus {i}?" }),
                ["ability"] = "math",
                ["reward_model"] = new JsonObject { ["style"] = "rule", ["ground_truth"] = solved.Contains(i) ? "[INVALID]" : "42" },
                ["extra_info"] = new JsonObject { ["index"] = i },
            };
            writer.WriteLine(row.ToJsonString());
        }

        return path;
    }
}
