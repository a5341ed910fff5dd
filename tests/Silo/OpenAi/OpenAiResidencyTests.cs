using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Grains.Hosting;
using VerlOrleans.Grains.Models;
using VerlOrleans.Grains.Runs;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests.OpenAi;

/// <summary>
/// <c>/v1</c> under the same device budget as runs, on a silo whose budget holds one model: a request on the model a
/// run is using joins the run's batches; a request on another model while the run holds the budget is a 503 naming
/// why (a busy model is never evicted), and a run on that other model waits its turn; once the first run is done, the
/// other model loads in the place of the idle one (least recently used first) and both runs' results are whole.
/// </summary>
public sealed class OpenAiResidencyTests : IAsyncLifetime
{
    private readonly TempDirectory _inputs = new("openai-residency");
    private SiloProcess _silo = null!;
    private GridApiClient _api = null!;
    private IReadOnlyList<string> _steps = [];

    public async Task InitializeAsync()
    {
        _steps = VerlRunFolderBuilder.Write(_inputs.Combine("budget-run"), steps: 2, firstScale: 0.8f);
        // Room for one model (the two steps have the same shapes), not two.
        var sizing = new GridOptions { ModelMaxBatchSize = 16, ModelMaxSequenceLength = 1024 };
        var oneModel = new ModelEngineFactory(Options.Create(sizing)).EstimateBytes(Path.Combine(_steps[0], "huggingface"), "cpu", "auto");
        _silo = new SiloProcess
        {
            Settings =
            {
                ["VerlOrleans__ModelMaxBatchSize"] = "16",
                ["VerlOrleans__ModelMaxSequenceLength"] = "1024",
                ["VerlOrleans__DeviceMemoryLimitBytes"] = (oneModel * 3 / 2).ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        await _silo.InitializeAsync();
        _api = new GridApiClient(_silo.BaseAddress);
        var registered = await _api.Http.PostAsync("api/checkpoints", Json(new JsonObject { ["path"] = _inputs.Combine("budget-run") }));
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        await GridApiClient.PollAsync(
            async () => JsonNode.Parse(await _api.Http.GetStringAsync("v1/models"))!["data"]!.AsArray(),
            models => models.Count == 2 && models.All(m => m!["verlorleans.state"]!.GetValue<string>() == "Ready"),
            TimeSpan.FromMinutes(3), "both steps merged and Ready");
    }

    [Fact]
    public async Task Api_requests_share_the_runs_model_budget_and_lru()
    {
        // A run on step 1, long enough to overlap the requests below.
        const int Samples = 500;
        await _api.StartRunAsync(GridRuns.Greedy(_steps[0], Samples, maxTokens: 128) with { BatchSize = 8 }, "budget-run-1");
        await _api.WaitAsync("budget-run-1", s => s.Progress.SamplesDone > 0, TimeSpan.FromMinutes(2));

        // Step 1 while the run uses it: answered from the same engine, in the same steps as the run's sequences.
        var (sameStatus, same) = await PostAsync("budget-run/step_1");
        Assert.True(sameStatus == HttpStatusCode.OK, $"{(int)sameStatus} {same}");
        // (The models list is the grains' latest report, sent every few seconds.)
        var shared = (await GridApiClient.PollAsync(
            _api.GetModelsAsync, models => models.Any(m => m.State == ModelState.Ready && m.MaxStepCallers >= 2), TimeSpan.FromSeconds(30),
            "the /v1 request to share an engine step with the run (max callers per step >= 2)")).Single(m => m.State == ModelState.Ready);

        // Step 2 while the run holds the budget: refused with the reason, the run untouched.
        Assert.False((await _api.GetRunAsync("budget-run-1")).State.IsFinished(), "the run finished too soon to overlap");
        var (busyStatus, busy) = await PostAsync("budget-run/step_2");
        Assert.True(busyStatus == HttpStatusCode.ServiceUnavailable, $"{(int)busyStatus} {busy}");
        Assert.Equal("model_unavailable", busy!["error"]!["code"]!.GetValue<string>());
        Assert.Contains("no device of silo", busy["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        // A run on step 2 meanwhile waits its turn rather than failing.
        const int SecondSamples = 16;
        await _api.StartRunAsync(GridRuns.Greedy(_steps[1], SecondSamples, maxTokens: 16), "budget-run-2");
        await Task.Delay(ModelGrainResponseGenerator.RoomPollInterval * 2);
        var waiting = await _api.GetRunAsync("budget-run-2");
        Assert.False(waiting.State.IsFinished(), $"the second run ended while the first held the budget: {waiting.State} {waiting.Error}");
        Assert.Equal(0, waiting.Progress.SamplesDone);

        var first = await _api.WaitAsync("budget-run-1", s => s.State.IsFinished(), TimeSpan.FromMinutes(5));
        Assert.Equal(RunState.Completed, first.State);
        Assert.Equal(Samples, first.Progress.SamplesDone);

        // Step 1 idle: step 2 loads in its place (least recently used first), for the run and the API alike.
        var second = await _api.WaitAsync("budget-run-2", s => s.State.IsFinished(), TimeSpan.FromMinutes(3));
        Assert.Equal(RunState.Completed, second.State);
        Assert.Equal(SecondSamples, second.Progress.SamplesDone);
        var (loadedStatus, loaded) = await PostAsync("budget-run/step_2");
        Assert.True(loadedStatus == HttpStatusCode.OK, $"{(int)loadedStatus} {loaded}");
        var step2 = JsonNode.Parse(await _api.Http.GetStringAsync("v1/models/budget-run/step_2"))!["verlorleans.content_hash"]!.GetValue<string>();
        var ready = Assert.Single(await _api.GetModelsAsync(), m => m.State == ModelState.Ready);
        Assert.Equal(ModelKeys.For(step2, "auto"), ready.Key);
        Assert.NotEqual(shared.Key, ready.Key);
    }

    public async Task DisposeAsync()
    {
        _api?.Dispose();
        await _silo.DisposeAsync();
        _inputs.Dispose();
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    private async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string model)
    {
        using var response = await _api.Http.PostAsync("v1/completions", Json(new JsonObject { ["model"] = model, ["prompt"] = "The answer is", ["max_tokens"] = 8, ["temperature"] = 0 }));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }
}
