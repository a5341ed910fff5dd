using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using ResultsFolder = VerlOrleans.Evaluation.Results.ResultsFolder;
using ResultsReader = VerlOrleans.Evaluation.Results.ResultsReader;

namespace VerlOrleans.Bench.OpenAi;

/// <summary>One response of a run, in seconds on the round's clock: when the run sent the prompt to the model, when the response came back.</summary>
internal sealed record SampleTiming(int Index, double Sent, double Done, int PromptTokens, int CompletionTokens, string Text)
{
    public double TokensPerSecond => CompletionTokens / (Done - Sent);
}

/// <summary>A finished run: submitted at <see cref="Submitted"/>, completed (results and metrics written) at <see cref="Completed"/>.</summary>
internal sealed record RunResult(string RunId, string? ModelKey, double Submitted, double Completed, IReadOnlyList<SampleTiming> Samples);

/// <summary>
/// The same prompts through the grid's own path, as a user with a dataset would run them: one evaluation run of every
/// row (<c>POST /api/runs</c>, all rows in flight at once, greedy, the same <c>max_tokens</c>), waited for, and its
/// results.jsonl read for each response's timing and token counts.
/// </summary>
internal static class GridRunSide
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public static async Task<RunResult> RunAsync(HttpClient http, string checkpoint, Workload workload, int maxTokens, RoundClock clock, int? maxSamples = null)
    {
        var spec = new RunSpec
        {
            Checkpoint = checkpoint,
            DataFiles = [workload.DataFile],
            MaxSamples = maxSamples,
            Sampling = new SamplingSettings { Temperature = 0, MaxTokens = maxTokens },
            BatchSize = workload.Count,
        };
        var submitted = clock.Now;
        using var response = await http.PostAsJsonAsync("api/runs", new { spec }, Json);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/runs: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var runId = (await response.Content.ReadFromJsonAsync<RunStatus>(Json))!.RunId;
        RunStatus status;
        while (!(status = (await http.GetFromJsonAsync<RunStatus>($"api/runs/{runId}", Json))!).State.IsFinished())
        {
            await Task.Delay(PollInterval);
        }

        if (status.State != RunState.Completed)
        {
            throw new InvalidOperationException($"run {runId} ended {status.State}: {status.Error}");
        }

        var results = await ResultsReader.ReadJsonlAsync(Path.Combine(status.ResultsDirectory!, ResultsFolder.ResultsJsonlFile));
        var samples = results.OrderBy(r => r.Position).Select(r => new SampleTiming(
            (int)r.Position,
            clock.Seconds(r.StartedAt!.Value),
            clock.Seconds(r.StartedAt.Value + TimeSpan.FromSeconds(r.GenerationSeconds!.Value)),
            r.PromptTokens ?? 0,
            r.ResponseTokens ?? 0,
            r.ResponseText)).ToList();
        return new RunResult(runId, status.ModelKey, submitted, clock.Seconds(status.FinishedAt!.Value), samples);
    }
}
