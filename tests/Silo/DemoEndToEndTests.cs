using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Silo.Tests.Browser;
using VerlOrleans.Testing;
using Xunit.Abstractions;

namespace VerlOrleans.Silo.Tests;

/// <summary>
/// The README's first command on a data directory that never saw a run: the silo starts the demo sweep over the
/// demo verl run folder it ships by itself, every step is validated, merged and evaluated, and the mean score
/// rises from the first step to the last. A second start on the same data directory starts nothing.
/// </summary>
public sealed class DemoEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private const string MeanScore = "val-core/openai/gsm8k/reward/mean@1";

    /// <summary>What the last step must gain over the first (PyTorch measured 0.047 and 1.0 on these rows, demo/MANIFEST.json).</summary>
    private const double MinimumGain = 0.5;

    private static readonly TimeSpan SweepTimeout = TimeSpan.FromMinutes(8);

    private readonly TempDirectory _data = new("demo-e2e");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task The_first_start_evaluates_every_demo_step_and_a_second_start_does_not_repeat_it()
    {
        var steps = DemoFiles.Steps;
        Assert.True(steps.Count >= 4, "the demo run needs several steps");

        var clock = Stopwatch.StartNew();
        SweepStatus sweep;
        TimeSpan firstStepDone;
        await using (var silo = SiloProcess.AsReadmeCommand(_data.Path))
        {
            await silo.InitializeAsync();
            var serving = clock.Elapsed;
            using var api = new GridApiClient(silo.BaseAddress);
            // Followed from the moment the silo serves, while the newcomer's browser opens on the address the README gives.
            var following = WaitForSweepAsync(api, "demo", silo, clock);
            await using var browser = await BrowserSession.StartAsync();
            await browser.OpenAsync(silo.BaseAddress);
            await browser.Page.WaitForSelectorAsync("[data-testid=recent-sweep][data-sweep-id=demo]", new() { Timeout = 30_000 });
            var demoOnHome = clock.Elapsed;
            await browser.ShotAsync("demo-home");
            (sweep, firstStepDone) = await following;
            var sweepDone = clock.Elapsed;
            output.WriteLine($"silo serving after {serving.TotalSeconds:0.0} s; the demo sweep on the Overview after {demoOnHome.TotalSeconds:0.0} s; first finished step after {firstStepDone.TotalSeconds:0.0} s; whole sweep ({steps.Count} steps) after {sweepDone.TotalSeconds:0.0} s (all from the command)");
            Assert.Contains("the demo sweep demo is running", silo.Log, StringComparison.Ordinal);

            Assert.Equal(steps, sweep.Rows.Select(r => r.Step!.Value));
            Assert.All(sweep.Rows, r => Assert.True(r.State == RunState.Completed, $"step {r.Step}: {r.State} {r.Error}"));
            var checkpoints = (await api.Http.GetFromJsonAsync<List<CheckpointStatus>>("api/checkpoints", GridApiClient.Json))!;
            foreach (var row in sweep.Rows)
            {
                var checkpoint = checkpoints.Single(c => c.Path == row.Checkpoint);
                Assert.Equal(CheckpointState.Ready, checkpoint.State);
                Assert.Equal("valid", checkpoint.Validation?.Status);
                Assert.Equal(2, checkpoint.Validation?.WorldSize);
                Assert.NotNull(checkpoint.ContentHash);
                Assert.True(Directory.Exists(checkpoint.ModelPath), $"step {row.Step}: merged folder {checkpoint.ModelPath} is missing");
                Assert.True(File.Exists(Path.Combine(checkpoint.ModelPath!, "model.safetensors")), $"step {row.Step}: no merged safetensors");
            }

            Assert.Equal(steps.Count, checkpoints.Select(c => c.ContentHash).Distinct().Count());
            var scores = sweep.Rows.Select(r => r.Metrics[MeanScore]).ToList();
            output.WriteLine("mean score per step: " + string.Join(", ", sweep.Rows.Select(r => $"{r.Step}: {r.Metrics[MeanScore]:0.000}")));
            Assert.True(scores[^1] - scores[0] >= MinimumGain, $"the last step scores {scores[^1]:0.000}, the first {scores[0]:0.000}: less than {MinimumGain} apart");

            // And each step scores what PyTorch measured with the same bfloat16 weights over the same rows (the manifest rounds to 4 places).
            foreach (var row in sweep.Rows)
            {
                var pytorch = DemoFiles.Step(row.Step!.Value).GetProperty("pytorch_greedy_accuracy_bf16_weights").GetProperty("all").GetDouble();
                Assert.True(Math.Abs(row.Metrics[MeanScore] - pytorch) <= 0.00005, $"step {row.Step}: the grid scores {row.Metrics[MeanScore]:0.0000}, PyTorch {pytorch:0.0000}");
            }

            await ShowInBrowserAsync(browser, silo, sweep, steps.Count);
        }

        await using (var again = SiloProcess.AsReadmeCommand(_data.Path))
        {
            await again.InitializeAsync();
            using var api = new GridApiClient(again.BaseAddress);
            await WaitForLogAsync(again, "Not the first start on this data directory");
            var sweeps = (await api.Http.GetFromJsonAsync<List<Contracts.Catalog.SweepSummary>>("api/sweeps", GridApiClient.Json))!;
            Assert.Equal(["demo"], sweeps.Select(s => s.SweepId));
            Assert.DoesNotContain("the demo sweep demo is running", again.Log, StringComparison.Ordinal);

            // The same demo on demand, under a new id, beside the first (cancelled at once: the first test ran it all).
            var started = await api.Http.PostAsync("api/demo", null);
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            var demo = (await started.Content.ReadFromJsonAsync<SweepStatus>(GridApiClient.Json))!;
            Assert.StartsWith("demo-", demo.SweepId, StringComparison.Ordinal);
            Assert.Equal(steps, demo.Rows.Select(r => r.Step!.Value));
            (await api.Http.PostAsync($"api/sweeps/{demo.SweepId}/cancel", null)).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task A_silo_without_the_demo_keeps_serving_and_answers_404_naming_the_missing_folder()
    {
        var missing = Path.Combine(_data.Path, "no-demo-here");
        await using var silo = SiloProcess.AsReadmeCommand(Path.Combine(_data.Path, "grid"));
        silo.Settings["VERLORLEANS__DEMODIRECTORY"] = missing;
        await silo.InitializeAsync();
        await WaitForLogAsync(silo, "The demo sweep could not start");
        using var api = new GridApiClient(silo.BaseAddress);

        var refused = await api.Http.PostAsync("api/demo", null);

        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.Contains(Path.Combine(missing, "verl-run").Replace("\\", "\\\\", StringComparison.Ordinal), problem, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", problem, StringComparison.Ordinal);
        Assert.Empty((await api.Http.GetFromJsonAsync<List<Contracts.Catalog.SweepSummary>>("api/sweeps", GridApiClient.Json))!);
        Assert.True((await api.Http.GetAsync("health")).IsSuccessStatusCode);
    }

    /// <summary>The sweep page charts every step; the compare page of the first step against a middle and the last one counts the flips the scores imply.</summary>
    private static async Task ShowInBrowserAsync(BrowserSession browser, SiloProcess silo, SweepStatus sweep, int steps)
    {
        var page = browser.Page;
        await browser.OpenAsync(new Uri(silo.BaseAddress, "sweeps/demo"));
        await page.WaitForSelectorAsync($"[data-testid=sweep-chart][data-points='{steps}']");
        await page.WaitForFunctionAsync($"n => document.querySelectorAll('[data-testid=sweep-chart] .scatterlayer .trace .points path').length >= n", steps);
        await browser.ShotAsync("demo-sweep");

        // The first step as baseline, one from the middle of the climb, and the last.
        SweepRow[] compared = [sweep.Rows[0], sweep.Rows[sweep.Rows.Count / 4], sweep.Rows[^1]];
        await browser.OpenAsync(new Uri(silo.BaseAddress, $"compare?runs={string.Join(',', compared.Select(r => r.RunId))}"));
        await page.WaitForSelectorAsync("[data-testid=compare-prompt]");
        var prompts = int.Parse((await page.InnerTextAsync("[data-testid=compare-count]")).Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 1; i < compared.Length; i++)
        {
            var card = page.Locator("[data-testid=compare-run]").Nth(i);
            var solved = Count(await card.Locator("[data-testid=count-solved]").InnerTextAsync());
            var broken = Count(await card.Locator("[data-testid=count-broken]").InnerTextAsync());
            // One sample per prompt: solved minus broken is the change in the number of correct answers.
            Assert.Equal(Math.Round(prompts * (compared[i].Metrics[MeanScore] - compared[0].Metrics[MeanScore])), solved - broken);
            Assert.True(solved > prompts / 2, $"only {solved} of {prompts} prompts were solved by step {compared[i].Step} and not by step {compared[0].Step}");
        }

        await browser.ShotAsync("demo-compare");

        await browser.OpenAsync(silo.BaseAddress);
        await page.WaitForSelectorAsync("[data-testid=recent-sweep][data-sweep-id=demo][data-finished=true]");
        await browser.ShotAsync("demo-home-finished");
        browser.AssertNoProblems();
    }

    /// <summary>The number in a flip chip ("+244 solved", "−0 broken").</summary>
    private static int Count(string chip) =>
        int.Parse(new string(chip.Where(char.IsAsciiDigit).ToArray()), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Waits for the sweep to finish; also returns when its first step finished, on <paramref name="clock"/>.</summary>
    private static async Task<(SweepStatus Sweep, TimeSpan FirstStepDone)> WaitForSweepAsync(GridApiClient api, string sweepId, SiloProcess silo, Stopwatch clock)
    {
        var started = clock.Elapsed;
        TimeSpan? firstStepDone = null;
        while (true)
        {
            var response = await api.Http.GetAsync($"api/sweeps/{sweepId}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var sweep = (await response.Content.ReadFromJsonAsync<SweepStatus>(GridApiClient.Json))!;
                if (firstStepDone is null && sweep.Rows.Any(r => r.State == RunState.Completed))
                {
                    firstStepDone = clock.Elapsed;
                }

                if (sweep.IsFinished)
                {
                    return (sweep, firstStepDone ?? clock.Elapsed);
                }
            }

            Assert.True(clock.Elapsed - started < SweepTimeout, $"the demo sweep did not finish in {SweepTimeout}:\n{silo.Log}");
            await Task.Delay(250);
        }
    }

    private static async Task WaitForLogAsync(SiloProcess silo, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!silo.Log.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the silo never logged '{text}':\n{silo.Log}");
            await Task.Delay(100);
        }
    }
}
