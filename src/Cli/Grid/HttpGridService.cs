using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Cli.Grid;

/// <summary>
/// The grid through its HTTP API, for deployments where only that is reachable or where callers must show a bearer
/// token (a gateway cannot check one). Watching reads the API's Server-Sent Events, which the silo pushes from a grain
/// observer; a stream that breaks before the end is reopened, and the first event of each is the current status.
/// </summary>
internal sealed class HttpGridService : IGridService
{
    /// <summary>How long a watch keeps reopening a broken event stream (a silo restarting) before it gives up.</summary>
    public static readonly TimeSpan ReconnectPatience = TimeSpan.FromMinutes(2);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly HttpClient _http;
    private readonly GridApiEndpoint _endpoint;

    public HttpGridService(GridApiEndpoint endpoint)
    {
        _endpoint = endpoint;
        var handler = new SocketsHttpHandler { ConnectTimeout = endpoint.ConnectTimeout, AllowAutoRedirect = false };
        // Requests that answer at once; downloads and event streams are read after the headers, outside this limit.
        _http = new HttpClient(handler) { BaseAddress = endpoint.BaseAddress, Timeout = TimeSpan.FromSeconds(100) };
        if (endpoint.Token is { } token)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public string Address => _endpoint.Address;

    public Task<RunStatus?> FindRunAsync(string runId, CancellationToken cancellationToken) => FindAsync<RunStatus>($"api/runs/{Escape(runId)}", cancellationToken);

    public Task<SweepStatus?> FindSweepAsync(string sweepId, CancellationToken cancellationToken) => FindAsync<SweepStatus>($"api/sweeps/{Escape(sweepId)}", cancellationToken);

    public async Task<IReadOnlyList<string>> RegisterCheckpointsAsync(string path, CancellationToken cancellationToken)
    {
        var registered = await SendAsync<List<RegisteredCheckpoint>>(HttpMethod.Post, "api/checkpoints", new { path }, cancellationToken);
        return registered.Select(c => c.Path).ToList();
    }

    // The API names a run's fields under "spec." (its body wraps the spec); the gateway path, and the user, name them bare.
    public Task<RunStatus> StartRunAsync(string runId, RunSpec spec, CancellationToken cancellationToken) =>
        SendAsync<RunStatus>(HttpMethod.Post, "api/runs", new { spec, runId }, cancellationToken, fieldPrefix: "spec.");

    public Task<SweepStatus> StartSweepAsync(string sweepId, SweepSpec spec, CancellationToken cancellationToken) =>
        SendAsync<SweepStatus>(HttpMethod.Post, "api/sweeps", new { spec, sweepId }, cancellationToken, fieldPrefix: "spec.");

    public async Task<SweepStatus> StartDemoAsync(CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Post, "api/demo", null, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound && await ProblemDetailAsync(response, cancellationToken) is { } detail)
        {
            // A silo deployed without its demo folder says so; the gateway path's grain throws the same.
            throw new FileNotFoundException(detail);
        }

        return await ReadAsync<SweepStatus>(response, "POST /api/demo", "", cancellationToken);
    }

    public async Task<IReadOnlyList<RunSummary>> ListRunsAsync(CancellationToken cancellationToken) =>
        await SendAsync<List<RunSummary>>(HttpMethod.Get, "api/runs", null, cancellationToken);

    public async Task<IReadOnlyList<SweepSummary>> ListSweepsAsync(CancellationToken cancellationToken) =>
        await SendAsync<List<SweepSummary>>(HttpMethod.Get, "api/sweeps", null, cancellationToken);

    public Task<RunStatus> CancelRunAsync(string runId, CancellationToken cancellationToken) =>
        SendAsync<RunStatus>(HttpMethod.Post, $"api/runs/{Escape(runId)}/cancel", null, cancellationToken);

    public Task<SweepStatus> CancelSweepAsync(string sweepId, CancellationToken cancellationToken) =>
        SendAsync<SweepStatus>(HttpMethod.Post, $"api/sweeps/{Escape(sweepId)}/cancel", null, cancellationToken);

    public Task<bool> DeleteRunAsync(string runId, CancellationToken cancellationToken) => DeleteAsync($"api/runs/{Escape(runId)}", cancellationToken);

    public Task<bool> DeleteSweepAsync(string sweepId, CancellationToken cancellationToken) => DeleteAsync($"api/sweeps/{Escape(sweepId)}", cancellationToken);

    private async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Delete, path, null, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, $"DELETE /{path}", "", cancellationToken);
        return true;
    }

    public async Task<long> CopyResultsFileAsync(string runId, string name, Stream destination, CancellationToken cancellationToken)
    {
        var path = $"api/runs/{Escape(runId)}/files/{Escape(name)}";
        using var response = await SendRawAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"run {runId} has no {name}", name);
        }

        await EnsureSuccessAsync(response, $"GET /{path}", "", cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[81920];
        long bytes = 0;
        for (int read; (read = await body.ReadAsync(buffer, cancellationToken)) > 0; bytes += read)
        {
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        return bytes;
    }

    public IAsyncEnumerable<RunStatus> WatchRunAsync(string runId, CancellationToken cancellationToken) =>
        WatchAsync<RunStatus>($"api/runs/{Escape(runId)}/events", s => s.State.IsFinished(), cancellationToken);

    public IAsyncEnumerable<SweepStatus> WatchSweepAsync(string sweepId, CancellationToken cancellationToken) =>
        WatchAsync<SweepStatus>($"api/sweeps/{Escape(sweepId)}/events", s => s.IsFinished, cancellationToken);

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private async IAsyncEnumerable<T> WatchAsync<T>(string path, Func<T, bool> isFinished, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        DateTime? brokenSince = null;
        for (var reopenings = 0; ; reopenings++)
        {
            if (brokenSince is { } since)
            {
                if (DateTime.UtcNow - since >= ReconnectPatience)
                {
                    throw new HttpRequestException($"the event stream at {Address}/{path} broke and could not be reopened for {ReconnectPatience.TotalMinutes:0} minutes");
                }

                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, reopenings)), cancellationToken);
            }

            using var response = await OpenEventsAsync(path, reopening: brokenSince is not null, cancellationToken);
            if (response is null)
            {
                continue;
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var events = SseParser.Create(body, (_, data) => JsonSerializer.Deserialize<T>(data, Json)!).EnumerateAsync(cancellationToken);
            await using var reader = events.GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                T status;
                try
                {
                    if (!await reader.MoveNextAsync())
                    {
                        break;
                    }

                    status = reader.Current.Data;
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is IOException or HttpRequestException)
                {
                    // The connection broke (a silo stopping, a proxy's idle limit): reopen; its first event is the status then.
                    break;
                }
                catch (JsonException e)
                {
                    throw NotTheApi(e);
                }

                (brokenSince, reopenings) = (null, 0);
                yield return status;
                if (isFinished(status))
                {
                    yield break;
                }
            }

            // The server ends a stream only after a finished status: anything else is a connection lost on the way.
            brokenSince ??= DateTime.UtcNow;
        }
    }

    /// <summary>
    /// The event stream's response. Reopening a broken one, a failure that may pass (no connection while a silo restarts,
    /// a 5xx from a proxy) answers null; the first opening fails at once, as every other command does.
    /// </summary>
    private async Task<HttpResponseMessage?> OpenEventsAsync(string path, bool reopening, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await SendRawAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception e) when (reopening && e is GridInputException or HttpRequestException or TimeoutException)
        {
            return null;
        }

        if (reopening && (int)response.StatusCode >= 500)
        {
            response.Dispose();
            return null;
        }

        try
        {
            await EnsureSuccessAsync(response, $"GET /{path}", "", cancellationToken);
            if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
            {
                throw new GridInputException($"{Address} answered GET /{path} with {response.Content.Headers.ContentType?.MediaType ?? "no content type"}, not an event stream; --api takes the silo's URL, e.g. http://127.0.0.1:5080");
            }

            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<T?> FindAsync<T>(string path, CancellationToken cancellationToken) where T : class
    {
        using var response = await SendRawAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadAsync<T>(response, $"GET /{path}", "", cancellationToken);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken, string fieldPrefix = "")
    {
        using var response = await SendRawAsync(method, path, body, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await ReadAsync<T>(response, $"{method} /{path}", fieldPrefix, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, object? body, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: Json) };
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            var why = e.InnerException is SocketException socket ? $"{socket.SocketErrorCode}: {socket.Message}" : e.Message;
            throw new GridInputException($"no VerlOrleans silo answered at {Address} ({why}); start one with `dotnet run --project src/Silo`, or name its HTTP address with --api URL", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient's own time limits end in a cancellation the user did not ask for.
            throw new TimeoutException($"no answer from the grid at {Address} to {method} /{path} in time", e);
        }
    }

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, string request, string fieldPrefix, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, request, fieldPrefix, cancellationToken);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken) ?? throw new JsonException("the body is empty");
        }
        catch (JsonException e)
        {
            throw NotTheApi(e);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string request, string fieldPrefix, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw HttpGridProblems.ToException(response.StatusCode, response.ReasonPhrase, body, request, Address, _endpoint.Token is not null, fieldPrefix);
        }
    }

    private static async Task<string?> ProblemDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return problem.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String ? detail.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private GridInputException NotTheApi(JsonException e) =>
        new($"the answer at {Address} is not the VerlOrleans API's JSON ({e.Message}); --api takes the silo's URL, e.g. http://127.0.0.1:5080", e);

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    /// <summary>The part of POST /api/checkpoints' answer the CLI needs: each registered checkpoint's key.</summary>
    private sealed record RegisteredCheckpoint(string Path);
}
