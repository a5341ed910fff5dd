using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using VerlOrleans.Contracts.Cluster;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Silo.Tests;

/// <summary>The grid's HTTP API as a client would use it (JSON, enums as strings), with a bearer token when it needs one.</summary>
public sealed class GridApiClient(Uri baseAddress, string? token = null) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly HttpClient _http = new()
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(30),
        DefaultRequestHeaders = { Authorization = token is null ? null : new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token) },
    };

    public HttpClient Http => _http;

    public async Task<RunStatus> StartRunAsync(RunSpec spec, string runId)
    {
        var response = await _http.PostAsJsonAsync("api/runs", new { spec, runId }, Json);
        Assert.True(response.IsSuccessStatusCode, $"POST /api/runs: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<RunStatus>(Json))!;
    }

    public async Task<RunStatus> GetRunAsync(string runId)
    {
        using var response = await _http.GetAsync($"api/runs/{runId}");
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new HttpRequestException($"GET api/runs/{runId}: {(int)response.StatusCode} {body[..Math.Min(300, body.Length)]}", null, response.StatusCode);
        }

        return (await response.Content.ReadFromJsonAsync<RunStatus>(Json))!;
    }

    /// <summary>Polls until <paramref name="condition"/> holds (the silo may be restarting: connection errors are retried).</summary>
    public async Task<RunStatus> WaitAsync(string runId, Func<RunStatus, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        RunStatus? last = null;
        Exception? error = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await GetRunAsync(runId);
                if (condition(last))
                {
                    return last;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening (yet), or the grid could not answer (a silo is going away).
                error = e;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"run {runId}: condition not met; last seen {last?.State} {last?.Progress.SamplesDone}/{last?.Progress.SamplesTotal} {last?.Error}; last error {error?.Message}");
    }

    public async Task<SweepStatus> StartSweepAsync(SweepSpec spec, string sweepId)
    {
        var response = await _http.PostAsJsonAsync("api/sweeps", new { spec, sweepId }, Json);
        Assert.True(response.IsSuccessStatusCode, $"POST /api/sweeps: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<SweepStatus>(Json))!;
    }

    public async Task<SweepStatus> GetSweepAsync(string sweepId) => (await _http.GetFromJsonAsync<SweepStatus>($"api/sweeps/{sweepId}", Json))!;

    public async Task<IReadOnlyList<ModelStatus>> GetModelsAsync() => (await _http.GetFromJsonAsync<List<ModelStatus>>("api/models", Json))!;

    public async Task<ClusterOverview> GetClusterAsync() => (await _http.GetFromJsonAsync<ClusterOverview>("api/cluster", Json))!;

    /// <summary>Polls <paramref name="read"/> until <paramref name="condition"/> holds; failed requests (a silo going away) are retried.</summary>
    public static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = default(T);
        Exception? error = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await read();
                if (condition(last))
                {
                    return last;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                error = e;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{what}: condition not met within {timeout.TotalSeconds} s; last seen {JsonSerializer.Serialize(last, Json)}; last error {error?.Message}");
    }

    public void Dispose() => _http.Dispose();
}
