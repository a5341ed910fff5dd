using System.Net.Http.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Silo.Tests.Browser;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests;

/// <summary>
/// A sample whose reward failed shows why on its page, in Debian's Chromium: a real run on the tiny model with a
/// custom reward file that raises for one prompt. That sample's page carries a "reward error" chip and the Python
/// error with its traceback; a sample the reward scored has neither.
/// </summary>
public sealed class RewardErrorEndToEndTests(SiloProcess silo) : IClassFixture<SiloProcess>, IDisposable
{
    private readonly TempDirectory _folder = new("reward-error-e2e");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_sample_whose_reward_raised_shows_the_error_on_its_page()
    {
        var reward = _folder.Combine("picky_reward.py");
        await File.WriteAllTextAsync(reward, """
            def compute_score(data_source, solution_str, ground_truth, extra_info=None):
                if extra_info["index"] == 1:
                    raise ValueError("this reward cannot read prompt q1's ground truth")
                return 0.5
            """);
        var data = _folder.Combine("rows.jsonl");
        await File.WriteAllLinesAsync(data, Enumerable.Range(0, 2).Select(i => new JsonObject
        {
            ["uid"] = $"q{i}",
            ["data_source"] = "my_source",
            ["prompt"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"What is {i} plus {i}?" }),
            ["reward_model"] = new JsonObject { ["style"] = "rule", ["ground_truth"] = "42" },
            ["extra_info"] = new JsonObject { ["index"] = i },
        }.ToJsonString()));
        var spec = new RunSpec
        {
            Checkpoint = TinyChatModel.Folder,
            DataFiles = [data],
            Sampling = new SamplingSettings { Temperature = 0, MaxTokens = 8 },
            Prompt = new PromptSettings { MaxPromptLength = 256 },
            RewardPath = reward,
        };
        using var api = new GridApiClient(silo.BaseAddress);
        var runId = "reward-error";
        var response = await api.Http.PostAsJsonAsync("api/runs", new { spec, runId }, GridApiClient.Json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var status = await api.WaitAsync(runId, s => s.State.IsFinished(), TimeSpan.FromMinutes(3));
        Assert.Equal(RunState.Completed, status.State);

        await using var browser = await BrowserSession.StartAsync();
        var page = browser.Page;
        await browser.OpenAsync(new Uri(silo.BaseAddress, $"runs/{runId}/samples/q1/0"));
        await page.WaitForSelectorAsync("[data-testid=sample-page]");
        Assert.Equal("reward error", (await page.InnerTextAsync("[data-testid=sample-reward-error-chip]")).Trim());
        var error = await page.InnerTextAsync("[data-testid=sample-reward-error]");
        Assert.Contains("ValueError: this reward cannot read prompt q1's ground truth", error, StringComparison.Ordinal);
        Assert.Contains("Traceback", error, StringComparison.Ordinal);
        Assert.Equal("0.000", (await page.InnerTextAsync("[data-testid=sample-score]")).Trim());
        await browser.ShotAsync("sample-reward-error");

        await browser.OpenAsync(new Uri(silo.BaseAddress, $"runs/{runId}/samples/q0/0"));
        await page.WaitForSelectorAsync("[data-testid=sample-page]");
        Assert.Equal(0, await page.Locator("[data-testid=sample-reward-error-chip]").CountAsync());
        Assert.Equal(0, await page.Locator("[data-testid=sample-reward-error]").CountAsync());
        browser.AssertNoProblems();
    }
}
