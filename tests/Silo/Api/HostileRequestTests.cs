using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Silo.Tests.Api;

/// <summary>
/// Hostile and malformed requests against a real silo: each gets the status and the message it should (problem
/// details naming the field, never a stack trace), nothing outside the path roots is opened, and the run that
/// existed before is exactly as it was.
/// </summary>
public sealed class HostileRequestTests(HostileApiFixture fixture) : IClassFixture<HostileApiFixture>
{
    public static TheoryData<string, JsonNode?, string, string> OutOfRange => new()
    {
        { "maxSamples", -5, "spec.maxSamples", "must be at least 1" },
        { "sampling.n", 0, "spec.sampling.n", "must be between 1 and 256, got 0" },
        { "sampling.n", 257, "spec.sampling.n", "must be between 1 and 256, got 257" },
        { "sampling.temperature", -1, "spec.sampling.temperature", "must be between 0 (greedy) and 10, got -1" },
        { "sampling.topP", 0, "spec.sampling.topP", "must be in (0, 1], got 0" },
        { "sampling.topP", 1.5, "spec.sampling.topP", "got 1.5" },
        { "sampling.topK", -2, "spec.sampling.topK", "must be -1 or 0 (off) or a positive count, got -2" },
        { "sampling.minP", 2, "spec.sampling.minP", "must be in [0, 1], got 2" },
        { "sampling.maxTokens", 100_000_000, "spec.sampling.maxTokens", "must be between 1 and 32768, got 100000000" },
        { "sampling.maxTokens", 0, "spec.sampling.maxTokens", "must be between 1 and 32768, got 0" },
        { "prompt.maxPromptLength", 0, "spec.prompt.maxPromptLength", "must be between 1 and 32768" },
        { "prompt.truncation", "sideways", "spec.prompt.truncation", "must be one of error, left, right, middle, got 'sideways'" },
        { "prompt.promptKey", "", "spec.prompt.promptKey", "is required" },
        { "prompt.chatTemplateKwargsJson", "[1]", "spec.prompt.chatTemplateKwargsJson", "must be a JSON object" },
        { "batchSize", 0, "spec.batchSize", "must be between 1 and 4096, got 0" },
        { "dType", "int8", "spec.dType", "must be one of auto, bf16, fp16, fp32, got 'int8'" },
        { "rewardMode", "vibes", "spec.rewardMode", "got 'vibes'" },
        { "rewardRoutes", new JsonArray("no-equals-sign"), "spec.rewardRoutes[0]", "must be SOURCE=REWARD" },
        { "dataFiles", new JsonArray(), "spec.dataFiles", "needs at least one" },
        { "checkpoint", "", "spec.checkpoint", "is required" },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public async Task Every_out_of_range_field_is_refused_naming_the_field_and_its_range(string field, JsonNode? value, string key, string message)
    {
        var body = fixture.ValidRequest();
        Set(body["spec"]!.AsObject(), field, value);

        var (status, problem, _) = await PostAsync("api/runs", body.ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, string.Join(" | ", problem!["errors"]![key]!.AsArray().Select(m => m!.GetValue<string>())), StringComparison.Ordinal);
        await AssertNothingChangedAsync();
    }

    [Theory]
    [InlineData("{not json", "The body is not the JSON this endpoint reads")]
    [InlineData("", "")]
    [InlineData("[]", "")]
    [InlineData("{\"spec\": {\"checkpoint\": 5, \"dataFiles\": []}}", "$.spec.checkpoint")]
    [InlineData("{\"spec\": {\"checkpoint\": \"/x\", \"dataFiles\": \"not-a-list\"}}", "$.spec.dataFiles")]
    [InlineData("{\"spec\": {\"checkpoint\": \"/x\", \"dataFiles\": [], \"sampling\": {\"n\": 1e40}}}", "$.spec.sampling.n")]
    [InlineData("{\"spec\": {\"checkpoint\": \"/x\", \"dataFiles\": [], \"maxTokenz\": 5}}", "maxTokenz")]
    [InlineData("{\"spec\": {\"checkpoint\": \"/x\", \"dataFiles\": [], \"rewardMode\": {\"deep\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}}", "$.spec.rewardMode")]
    public async Task A_body_that_is_not_the_expected_JSON_gets_400_naming_where(string body, string expected)
    {
        var (status, problem, raw) = await PostAsync("api/runs", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(problem);
        Assert.Contains(expected, raw, StringComparison.Ordinal);
        await AssertNothingChangedAsync();
    }

    [Fact]
    public async Task A_body_over_the_limit_gets_413_before_it_is_read()
    {
        var body = fixture.ValidRequest();
        body["spec"]!["prompt"]!["chatTemplateKwargsJson"] = new string('x', 2 << 20);

        // As a careful client sends a large body (curl does so by itself): the refusal comes before the upload.
        var (status, problem, _) = await PostAsync("api/runs", body.ToJsonString(), expectContinue: true);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.NotNull(problem);
        await AssertNothingChangedAsync();
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("run id with spaces")]
    [InlineData("ünïcödé")]
    public async Task An_invalid_run_id_is_refused_naming_the_rule(string runId)
    {
        var (status, problem, _) = await PostAsync("api/runs", fixture.ValidRequest(runId).ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("letters, digits", problem!["errors"]!["runId"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertNothingChangedAsync();
    }

    [Fact]
    public async Task An_overlong_run_id_is_refused()
    {
        var (status, problem, _) = await PostAsync("api/runs", fixture.ValidRequest(new string('r', 101)).ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(problem!["errors"]!["runId"]);
    }

    public static TheoryData<string, string, string> EscapingPaths => new()
    {
        // (which field, the path, relative to the fixture's folders: {c} checkpoint root, {d} data root, {o} outside)
        { "checkpoint", "{c}/../outside/tiny-chat", "is outside the folders this grid may read" },
        { "checkpoint", "{c}/escape", "is outside the folders this grid may read" },
        { "checkpoint", "{c}/relative-escape", "is outside the folders this grid may read" },
        { "checkpoint", "/etc", "is outside the folders this grid may read" },
        { "checkpoint", "tiny-chat", "must be an absolute path" },
        { "dataFiles", "/etc/passwd", "is outside the folders this grid may read" },
        { "dataFiles", "{d}/../outside/real.parquet", "is outside the folders this grid may read" },
        { "dataFiles", "{d}/escape.parquet", "is outside the folders this grid may read" },
        { "dataFiles", "{d}/escape-real.parquet", "is outside the folders this grid may read" },
        { "dataFiles", "{o}/secret.parquet", "is outside the folders this grid may read" },
        { "dataFiles", "{c}/tiny-chat/config.json", "is outside the folders this grid may read" },
    };

    [Theory]
    [MemberData(nameof(EscapingPaths))]
    public async Task A_path_escaping_the_roots_is_refused_with_403_naming_the_roots_and_nothing_outside_is_opened(string field, string path, string message)
    {
        var resolved = path.Replace("{c}", fixture.CheckpointRoot, StringComparison.Ordinal)
            .Replace("{d}", fixture.DataRoot, StringComparison.Ordinal)
            .Replace("{o}", fixture.Outside, StringComparison.Ordinal);
        var body = fixture.ValidRequest();
        body["spec"]![field] = field == "dataFiles" ? new JsonArray(resolved) : resolved;

        var request = PostAsync("api/runs", body.ToJsonString());
        var (status, problem, _) = await request.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        var key = field == "dataFiles" ? "spec.dataFiles[0]" : "spec.checkpoint";
        var said = problem!["errors"]![key]![0]!.GetValue<string>();
        Assert.Contains(message, said, StringComparison.Ordinal);
        if (message.Contains("outside", StringComparison.Ordinal))
        {
            Assert.Contains(field == "dataFiles" ? fixture.DataRoot : fixture.CheckpointRoot, said, StringComparison.Ordinal);
        }

        Assert.False(fixture.FifoHasReader(), "a request opened the FIFO outside the roots");
        await AssertNothingChangedAsync();
    }

    [Fact]
    public async Task Registering_a_folder_outside_the_roots_is_403_and_a_folder_that_is_no_checkpoint_is_422_with_the_discovery_message()
    {
        var (outside, outsideProblem, _) = await PostAsync("api/checkpoints", "{\"path\": \"/etc\"}");
        Assert.Equal(HttpStatusCode.Forbidden, outside);
        Assert.Contains("/etc is outside the folders this grid may read", outsideProblem!["errors"]!["path"]![0]!.GetValue<string>(), StringComparison.Ordinal);

        var (empty, emptyProblem, _) = await PostAsync("api/checkpoints", $"{{\"path\": \"{Path.Combine(fixture.CheckpointRoot, "empty")}\"}}");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty);
        Assert.False(string.IsNullOrWhiteSpace(emptyProblem!["errors"]!["path"]![0]!.GetValue<string>()));

        var (missing, _, _) = await PostAsync("api/runs", Replace(fixture.ValidRequest(), "dataFiles", new JsonArray(Path.Combine(fixture.DataRoot, "nope.parquet"))).ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, missing);
        await AssertNothingChangedAsync();
    }

    [Fact]
    public async Task A_sweep_naming_a_checkpoint_outside_the_roots_starts_nothing()
    {
        var body = new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["checkpoints"] = new JsonArray(fixture.Model, "/etc"),
                ["template"] = fixture.ValidRequest()["spec"]!.DeepClone(),
                ["maxConcurrentRuns"] = 1,
            },
            ["sweepId"] = "hostile-sweep",
        };

        var (status, problem, _) = await PostAsync("api/sweeps", body.ToJsonString());

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.NotNull(problem!["errors"]!["spec.checkpoints[1]"]);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Api.Http.GetAsync("api/sweeps/hostile-sweep")).StatusCode);
        await AssertNothingChangedAsync();
    }

    [Fact]
    public async Task A_run_that_fails_after_it_started_carries_its_error_in_the_runs_list()
    {
        await fixture.Api.StartRunAsync(fixture.ValidSpec() with { DataFiles = [Path.Combine(fixture.DataRoot, "corrupt.parquet")] }, "fails-later");
        var failed = await fixture.Api.WaitAsync("fails-later", s => s.State.IsFinished(), TimeSpan.FromMinutes(1));
        Assert.Equal(RunState.Failed, failed.State);

        // The list is the catalog's, which hears of the run's end a moment after the run itself.
        var listed = await GridApiClient.PollAsync(
            async () => (await fixture.Api.Http.GetFromJsonAsync<List<RunSummary>>("api/runs", GridApiClient.Json))!.Single(r => r.RunId == "fails-later"),
            r => r.State.IsFinished(), TimeSpan.FromSeconds(10), "the runs list to show the run's end");

        Assert.Equal(RunState.Failed, listed.State);
        Assert.Equal(failed.Error, listed.Error);
        Assert.Contains("corrupt.parquet", listed.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api/runs/..%2F..%2Fetc")]
    [InlineData("api/runs/baseline/files/..%2F..%2Fgrain-state")]
    [InlineData("api/runs/baseline/files/manifest.json%00")]
    [InlineData("api/runs/%2E%2E/files/metrics.json")]
    [InlineData("api/sweeps/..%2Fx")]
    public async Task Paths_in_urls_never_reach_the_file_system(string url)
    {
        var response = await fixture.Api.Http.GetAsync(url);
        Assert.Contains(response.StatusCode, (HttpStatusCode[])[HttpStatusCode.NotFound, HttpStatusCode.BadRequest]);
        AssertNoStackTrace(await response.Content.ReadAsStringAsync());
    }

    private static JsonObject Replace(JsonObject request, string field, JsonNode value)
    {
        request["spec"]![field] = value;
        return request;
    }

    /// <summary>Sets a dotted field of a JSON object (creating nothing: the field's parent exists in a valid spec).</summary>
    private static void Set(JsonObject spec, string field, JsonNode? value)
    {
        var parts = field.Split('.');
        var parent = parts[..^1].Aggregate(spec, (node, part) => node[part]!.AsObject());
        parent[parts[^1]] = value?.DeepClone();
    }

    private async Task<(HttpStatusCode Status, JsonObject? Problem, string Raw)> PostAsync(string url, string body, bool expectContinue = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = expectContinue;
        using var response = await fixture.Api.Http.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        AssertNoStackTrace(raw);
        JsonObject? problem = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            problem = JsonNode.Parse(raw)!.AsObject();
        }

        return (response.StatusCode, problem, raw);
    }

    private static void AssertNoStackTrace(string body)
    {
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs:line", body, StringComparison.Ordinal);
    }

    /// <summary>The run that existed before is unchanged, and nothing else started.</summary>
    private async Task AssertNothingChangedAsync()
    {
        var baseline = await fixture.Api.GetRunAsync("baseline");
        Assert.Equal(fixture.Baseline.State, baseline.State);
        Assert.Equal(fixture.Baseline.Metrics.OrderBy(m => m.Key), baseline.Metrics.OrderBy(m => m.Key));
        Assert.Equal(fixture.Baseline.FinishedAt, baseline.FinishedAt);
        var runs = (await fixture.Api.Http.GetFromJsonAsync<List<RunSummary>>("api/runs", GridApiClient.Json))!;
        Assert.All(runs, r => Assert.Contains(r.RunId, (string[])["baseline", "fails-later"]));
    }
}
