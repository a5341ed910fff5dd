using System.Net.Http.Json;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Silo.Tests.Browser;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests;

/// <summary>
/// What an imported training run looks like in Debian's Chromium: the sweep page compares the steps verl validated
/// (metric vs global step), the runs list marks them imported, and a run page says where its samples came from and
/// which scores the grid's rewards disagree with; every page screenshotted.
/// </summary>
public sealed class ImportEndToEndTests(SiloProcess silo) : IClassFixture<SiloProcess>, IDisposable
{
    private readonly TempDirectory _folder = new("import-e2e");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task An_imported_validation_folder_reads_as_a_sweep_over_the_training_steps()
    {
        var dumps = Directory.CreateDirectory(_folder.Combine("qwen-gsm8k-grpo", "val_generations")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "tests", "Evaluation", "Imports", "Fixtures", "val_dumps")))
        {
            File.Copy(file, Path.Combine(dumps, Path.GetFileName(file)));
        }

        using var api = new GridApiClient(silo.BaseAddress);
        var response = await api.Http.PostAsJsonAsync("api/imports", new { path = dumps, id = "grpo-val", dataSource = "openai/gsm8k" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var sweep = await GridApiClient.PollAsync(() => api.GetSweepAsync("grpo-val"), s => s.IsFinished, TimeSpan.FromMinutes(1), "the import to finish");
        Assert.All(sweep.Rows, r => Assert.Equal(RunState.Completed, r.State));

        await using var browser = await BrowserSession.StartAsync();
        var page = browser.Page;
        await browser.OpenAsync(new Uri(silo.BaseAddress, "sweeps/grpo-val"));
        await page.WaitForSelectorAsync("[data-testid=sweep-page][data-finished=true]");
        Assert.Equal(["0", "40", "80"], await page.Locator("[data-testid=sweep-row]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.step)"));
        await page.WaitForSelectorAsync("[data-testid=sweep-chart][data-points='3']");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('[data-testid=sweep-chart] .scatterlayer .trace .points path').length >= 3");
        await browser.ShotAsync("import-sweep");

        await browser.OpenAsync(new Uri(silo.BaseAddress, "runs"));
        await page.WaitForSelectorAsync("[data-testid=run][data-run-id=grpo-val-003]");
        Assert.Equal("val_generations/step_80", (await page.Locator("[data-testid=run][data-run-id=grpo-val-003] [data-testid=run-checkpoint]").InnerTextAsync()).Trim());
        Assert.Equal(3, await page.Locator("[data-testid=run][data-run-id^=grpo-val] [data-testid=origin][data-origin=imported]").CountAsync());
        await browser.ShotAsync("import-runs");

        await browser.OpenAsync(new Uri(silo.BaseAddress, "runs/grpo-val-003"));
        await page.WaitForSelectorAsync("[data-testid=import-notes]");
        Assert.Contains("1 sample scored differently from verl's stored score; 0 lines or rows could not be read", await page.Locator("[data-testid=import-notes]").InnerTextAsync());
        Assert.Equal(1, await page.Locator("[data-testid=origin][data-origin=imported]").CountAsync());
        await browser.ShotAsync("import-run");
        Assert.Empty(browser.Problems);
    }
}
