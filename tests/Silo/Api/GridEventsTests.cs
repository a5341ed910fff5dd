using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests.Api;

/// <summary>
/// The live status endpoints (Server-Sent Events) against a real silo process: statuses pushed while a run or sweep
/// progresses, the stream ending after the finished one, 404 problem details for an unknown id before any stream, and
/// the silo letting go of its subscription when the client leaves.
/// </summary>
public sealed class GridEventsTests(GridEventsTests.EventsSilo fixture) : IClassFixture<GridEventsTests.EventsSilo>
{
    private GridApiClient Api => fixture.Api;

    [Fact]
    public async Task Run_events_are_pushed_while_it_progresses_and_the_stream_ends_after_the_finished_status()
    {
        const int Samples = 96;
        await Api.StartRunAsync(GridRuns.Greedy(TinyChatModel.Folder, Samples, maxTokens: 32) with { BatchSize = 4 }, "sse-run");

        using var response = await OpenAsync("api/runs/sse-run/events");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-cache", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var stream = await ReadToEndAsync(response, TimeSpan.FromMinutes(3));

        var statuses = stream.Events.Select(e => JsonSerializer.Deserialize<RunStatus>(e, GridApiClient.Json)!).ToList();
        Assert.True(stream.Ended, "the stream did not end after the run finished");
        Assert.Equal(RunState.Completed, statuses[^1].State);
        Assert.Equal(Samples, statuses[^1].Progress.SamplesDone);
        Assert.All(statuses[..^1], s => Assert.False(s.State.IsFinished(), $"{s.State} before the last event"));
        // Pushed while the run was under way, not only its start and its end.
        Assert.True(statuses.Count(s => s.Progress.SamplesDone is > 0 and < Samples) >= 1, string.Join(", ", statuses.Select(s => $"{s.State} {s.Progress.SamplesDone}")));
        Assert.Equal(statuses.Select(s => s.Progress.SamplesDone).Order(), statuses.Select(s => s.Progress.SamplesDone));
        var final = await Api.GetRunAsync("sse-run");
        Assert.Equal(final.Metrics, statuses[^1].Metrics);
        Assert.Contains("val-core/openai/gsm8k/reward/mean@1", statuses[^1].Metrics.Keys);

        // Same JSON as the rest of the API (enums as strings, camelCase).
        var last = JsonNode.Parse(stream.Events[^1])!;
        Assert.Equal("Completed", last["state"]!.GetValue<string>());

        // A finished run: its status, and the end at once.
        using var again = await OpenAsync("api/runs/sse-run/events");
        var replay = await ReadToEndAsync(again, TimeSpan.FromSeconds(30));
        Assert.True(replay.Ended);
        Assert.Equal(RunState.Completed, JsonSerializer.Deserialize<RunStatus>(Assert.Single(replay.Events), GridApiClient.Json)!.State);
    }

    [Fact]
    public async Task Sweep_events_carry_the_comparison_table_until_every_run_finished()
    {
        var actor = Path.Combine(RepositoryPaths.Root, "tests", "Fixtures", "tiny-chat-actor");
        // Long enough that the stream opens while the runs are still going, on warm models too (the run test loaded them).
        await Api.StartSweepAsync(new SweepSpec([TinyChatModel.Folder, actor], GridRuns.Greedy(TinyChatModel.Folder, 64, maxTokens: 32) with { BatchSize = 4 }, 2), "sse-sweep");

        using var response = await OpenAsync("api/sweeps/sse-sweep/events");
        var stream = await ReadToEndAsync(response, TimeSpan.FromMinutes(3));

        var statuses = stream.Events.Select(e => JsonSerializer.Deserialize<SweepStatus>(e, GridApiClient.Json)!).ToList();
        Assert.True(stream.Ended);
        Assert.True(statuses.Count >= 2, $"{statuses.Count} event(s)");
        Assert.All(statuses[..^1], s => Assert.False(s.IsFinished));
        Assert.Equal(2, statuses[^1].Rows.Count);
        Assert.All(statuses[^1].Rows, r => Assert.Equal(RunState.Completed, r.State));
        Assert.All(statuses[^1].Rows, r => Assert.Contains("val-core/openai/gsm8k/reward/mean@1", r.Metrics.Keys));
    }

    [Theory]
    [InlineData("api/runs/no-such-run/events", "No such run")]
    [InlineData("api/sweeps/no-such-sweep/events", "No such sweep")]
    [InlineData("api/runs/not%20an%20id/events", "No such run")]
    [InlineData("api/sweeps/a%2F..%2Fb/events", "No such sweep")]
    public async Task An_unknown_id_is_a_404_problem_before_any_stream(string path, string title)
    {
        using var response = await OpenAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(title, problem["title"]!.GetValue<string>());
        Assert.Equal(404, problem["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_client_leaving_mid_stream_ends_the_subscription_it_held()
    {
        await Api.StartRunAsync(GridRuns.Greedy(TinyChatModel.Folder, 400, maxTokens: 64) with { BatchSize = 4 }, "sse-leave");
        using (var http = new HttpClient { BaseAddress = fixture.Silo.BaseAddress })
        {
            using var response = await http.GetAsync("api/runs/sse-leave/events", HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var first = await reader.ReadLineAsync();
            Assert.StartsWith("data: ", first, StringComparison.Ordinal);
            Assert.False(JsonSerializer.Deserialize<RunStatus>(first!["data: ".Length..], GridApiClient.Json)!.State.IsFinished());
            Assert.DoesNotContain("Events of run sse-leave: unsubscribed", fixture.Silo.Log, StringComparison.Ordinal);
        }

        // Disposing the unread response closed the connection: the silo notices, unsubscribes and says why.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!fixture.Silo.Log.Contains("Events of run sse-leave: unsubscribed, the client left", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the silo did not end the stream's subscription after the client left:\n" + fixture.Silo.Log[^Math.Min(3000, fixture.Silo.Log.Length)..]);
            await Task.Delay(100);
        }

        Assert.Equal(HttpStatusCode.OK, (await Api.Http.PostAsync("api/runs/sse-leave/cancel", null)).StatusCode);
    }

    private async Task<HttpResponseMessage> OpenAsync(string path) =>
        await Api.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead);

    /// <summary>Reads an event stream until the server ends it or <paramref name="limit"/> passes: each event's data, and comments.</summary>
    private static async Task<(List<string> Events, bool Ended)> ReadToEndAsync(HttpResponseMessage response, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<string>();
        var data = new List<string>();
        try
        {
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Add(line["data: ".Length..]);
                }
                else if (line.Length == 0 && data.Count > 0)
                {
                    events.Add(string.Join('\n', data));
                    data.Clear();
                }
            }

            return (events, data.Count == 0);
        }
        catch (OperationCanceledException)
        {
            return (events, false);
        }
    }

    /// <summary>A silo whose event endpoints log at debug level, so a test can see a subscription end.</summary>
    public sealed class EventsSilo : IAsyncLifetime
    {
        public SiloProcess Silo { get; } = new() { Settings = { ["Logging__LogLevel__VerlOrleans.Silo.Api.GridEventsApi"] = "Debug" } };

        public GridApiClient Api { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await Silo.InitializeAsync();
            Api = new GridApiClient(Silo.BaseAddress);
        }

        public async Task DisposeAsync()
        {
            Api?.Dispose();
            await Silo.DisposeAsync();
        }
    }
}
