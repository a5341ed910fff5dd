using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Silo.Tests;

/// <summary>The grid's HTTP API as a client would use it (JSON, enums as strings).</summary>
public sealed class GridApiClient(Uri baseAddress) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public HttpClient Http => _http;

    public async Task<RunStatus> StartRunAsync(RunSpec spec, string runId)
    {
        var response = await _http.PostAsJsonAsync("api/runs", new { spec, runId }, Json);
        Assert.True(response.IsSuccessStatusCode, $"POST /api/runs: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<RunStatus>(Json))!;
    }

    public async Task<RunStatus> GetRunAsync(string runId) => (await _http.GetFromJsonAsync<RunStatus>($"api/runs/{runId}", Json))!;

    /// <summary>Polls until <paramref name="condition"/> holds (the silo may be restarting: connection errors are retried).</summary>
    public async Task<RunStatus> WaitAsync(string runId, Func<RunStatus, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        RunStatus? last = null;
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
            catch (HttpRequestException)
            {
                // Not listening (yet).
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"run {runId}: condition not met; last seen {last?.State} {last?.Progress.SamplesDone}/{last?.Progress.SamplesTotal} {last?.Error}");
    }

    public void Dispose() => _http.Dispose();
}
