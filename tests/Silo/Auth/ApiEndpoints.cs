using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using VerlOrleans.Silo.Api;

namespace VerlOrleans.Silo.Tests.Auth;

/// <summary>
/// Every endpoint of the grid's API with a request that reaches it (ids that name nothing, bodies that are refused: an
/// answer other than 401/403 proves the caller got past authorization), and the endpoints the API really maps, read
/// from its route table, so a new endpoint without an entry here fails the coverage test.
/// </summary>
public static class ApiEndpoints
{
    public static IReadOnlyList<ApiCall> Calls { get; } =
    [
        new("GET", "/api/checkpoints", "api/checkpoints"),
        new("POST", "/api/checkpoints", "api/checkpoints", """{"path": "/tmp/no-checkpoint-is-here"}"""),
        new("GET", "/api/models", "api/models"),
        new("GET", "/api/cluster", "api/cluster"),
        new("POST", "/api/runs", "api/runs", "{}"),
        new("GET", "/api/runs", "api/runs"),
        new("GET", "/api/runs/{runId}", "api/runs/no-such-run"),
        new("POST", "/api/runs/{runId}/cancel", "api/runs/no-such-run/cancel"),
        new("GET", "/api/runs/{runId}/files/{name}", "api/runs/no-such-run/files/metrics.json"),
        new("GET", "/api/runs/{runId}/events", "api/runs/no-such-run/events"),
        new("POST", "/api/sweeps", "api/sweeps", "{}"),
        new("GET", "/api/sweeps", "api/sweeps"),
        new("GET", "/api/sweeps/{sweepId}", "api/sweeps/no-such-sweep"),
        new("POST", "/api/sweeps/{sweepId}/cancel", "api/sweeps/no-such-sweep/cancel"),
        new("GET", "/api/sweeps/{sweepId}/events", "api/sweeps/no-such-sweep/events"),
        new("POST", "/api/imports", "api/imports", "{}"),
        new("POST", "/api/demo", "api/demo"),
        new("DELETE", "/api/runs/{runId}", "api/runs/no-such-run"),
        new("DELETE", "/api/sweeps/{sweepId}", "api/sweeps/no-such-sweep"),
        new("DELETE", "/api/checkpoints/{**key}", "api/checkpoints/tmp/no-checkpoint-is-here"),
    ];

    /// <summary>Method, route pattern and authorization policies of every endpoint <see cref="GridApi.MapGridApi"/> maps.</summary>
    public static IReadOnlyList<(string Method, string Pattern, IReadOnlyList<string> Policies)> Mapped()
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Endpoints are only built here, never called: the services need to exist for parameter binding, not to work.
        builder.Services.AddSingleton<IGrainFactory>(_ => throw new InvalidOperationException("not called"));
        builder.Services.AddSingleton<RequestChecks>(_ => throw new InvalidOperationException("not called"));
        builder.Services.AddSingleton(TimeProvider.System);
        var app = builder.Build();
        app.MapGridApi();
        return ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (
                Method: m,
                Pattern: "/" + e.RoutePattern.RawText!.TrimStart('/'),
                Policies: (IReadOnlyList<string>)e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy ?? "(default)").ToList())))
            .ToList();
    }
}

/// <summary>One API request: the endpoint's method and pattern, a concrete path, and a body when it takes one.</summary>
public sealed record ApiCall(string Method, string Pattern, string Path, string? Body = null)
{
    public bool Writes => Method != "GET";

    public HttpRequestMessage Request(string? token)
    {
        var request = new HttpRequestMessage(new HttpMethod(Method), Path);
        if (Body is not null)
        {
            request.Content = new StringContent(Body, System.Text.Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    public override string ToString() => $"{Method} {Path}";
}
