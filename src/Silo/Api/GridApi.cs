using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Cluster;
using VerlOrleans.Contracts.Demo;
using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using Microsoft.AspNetCore.Authorization;
using VerlOrleans.Contracts.Access;
using VerlOrleans.Grains.Runs;
using VerlOrleans.Silo.Security;
using System.Security.Claims;

namespace VerlOrleans.Silo.Api;

/// <summary>
/// The grid's HTTP API (JSON): register checkpoints, start and cancel runs and sweeps, read status, download
/// results. Every endpoint is a thin call into a grain; long work is started and observed, never awaited here.
/// </summary>
public static class GridApi
{
    private const int ChunkBytes = 1 << 20;

    public static IEndpointRouteBuilder MapGridApi(this IEndpointRouteBuilder app)
    {
        // Reading needs any token; anything that starts, cancels, registers or deletes needs an admin one.
        var api = app.MapGroup("/api").RequireAuthorization(GridPolicies.Read);
        ((IEndpointConventionBuilder)api).Finally(endpoint =>
        {
            if (endpoint.Metadata.OfType<HttpMethodMetadata>().Any(m => m.HttpMethods.Any(method => !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))))
            {
                endpoint.Metadata.Add(new AuthorizeAttribute(GridPolicies.Admin));
            }
        });
        api.MapGridEvents();
        api.MapGridDeletes();
        api.MapImports();

        api.MapPost("/checkpoints", async (RegisterCheckpointRequest request, IGrainFactory grains, RequestChecks checks) =>
        {
            if (await checks.RefuseCheckpointAsync(request.Path, "path") is { } refusal)
            {
                return refusal;
            }

            var keys = await Catalog(grains).RegisterCheckpointsAsync(request.Path);
            var statuses = await Task.WhenAll(keys.Select(k => grains.GetGrain<ICheckpointGrain>(k).PrepareAsync()));
            return Results.Ok(statuses);
        }).WithName("RegisterCheckpoints").WithSummary("Registers and prepares a checkpoint, or every global_step_N of a verl run folder.");

        api.MapGet("/checkpoints", async (IGrainFactory grains) => Results.Ok(await Catalog(grains).ListCheckpointsAsync()))
            .WithName("ListCheckpoints");

        api.MapGet("/models", async (IGrainFactory grains) => Results.Ok(await Catalog(grains).ListModelsAsync()))
            .WithName("ListModels");

        api.MapGet("/cluster", async (IGrainFactory grains) =>
                Results.Ok(await grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.SingletonKey).GetOverviewAsync()))
            .WithName("GetCluster").WithSummary("Every silo in membership with its status, devices and model budgets.");

        api.MapPost("/runs", async (StartRunRequest request, IGrainFactory grains, RequestChecks checks, TimeProvider clock, ClaimsPrincipal user) =>
        {
            var runId = request.RunId ?? GridIds.New("run", clock);
            if (!GridIds.IsValid(runId))
            {
                return ApiProblems.Refused([new FieldError("runId", $"'{runId}' is not a run id: {GridIds.Rule}")]);
            }

            if (await checks.RefuseAsync(request.Spec) is { } refusal)
            {
                return refusal;
            }

            try
            {
                var status = await CallerJobs.StartAsync(grains, user.CallerName(), runId, JobKind.Run,
                    () => grains.GetGrain<IEvaluationRunGrain>(runId).StartAsync(request.Spec!));
                return Results.Accepted($"/api/runs/{runId}", status);
            }
            catch (InvalidOperationException e)
            {
                return Results.Problem(e.Message, statusCode: StatusCodes.Status409Conflict);
            }
        }).WithName("StartRun").WithSummary("Starts an evaluation run and returns at once (202).");

        api.MapGet("/runs", async (IGrainFactory grains) => Results.Ok(await Catalog(grains).ListRunsAsync())).WithName("ListRuns");

        api.MapGet("/runs/{runId}", async (string runId, IGrainFactory grains) =>
            await FindRunAsync(grains, runId) is { } status ? Results.Ok(status) : Results.NotFound())
            .WithName("GetRun");

        api.MapPost("/runs/{runId}/cancel", async (string runId, IGrainFactory grains) =>
            await FindRunAsync(grains, runId) is null ? Results.NotFound() : Results.Ok(await grains.GetGrain<IEvaluationRunGrain>(runId).CancelAsync()))
            .WithName("CancelRun");

        api.MapGet("/runs/{runId}/files/{name}", async (string runId, string name, IGrainFactory grains) =>
        {
            if (!EvaluationRunGrain.ResultFiles.Contains(name) || await FindRunAsync(grains, runId) is null)
            {
                return Results.NotFound();
            }

            // Read through the run grain: the results folder is on the silo that ran it, not necessarily this one.
            var run = grains.GetGrain<IEvaluationRunGrain>(runId);
            byte[] first;
            try
            {
                first = await run.ReadResultsFileAsync(name, 0, ChunkBytes);
            }
            catch (FileNotFoundException)
            {
                return Results.NotFound();
            }

            var contentType = name.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream";
            return Results.Stream(async body =>
            {
                long offset = 0;
                for (var chunk = first; chunk.Length > 0; chunk = await run.ReadResultsFileAsync(name, offset, ChunkBytes))
                {
                    await body.WriteAsync(chunk);
                    offset += chunk.Length;
                }
            }, contentType, name);
        }).WithName("DownloadRunFile").WithSummary("results.jsonl, results.parquet, metrics.json, manifest.json, prompt_report.json or (imported runs) import_report.json of a run.");

        api.MapPost("/sweeps", async (StartSweepRequest request, IGrainFactory grains, RequestChecks checks, TimeProvider clock, ClaimsPrincipal user) =>
        {
            var sweepId = request.SweepId ?? GridIds.New("sweep", clock);
            if (!GridIds.IsValid(sweepId))
            {
                return ApiProblems.Refused([new FieldError("sweepId", $"'{sweepId}' is not a sweep id: {GridIds.Rule}")]);
            }

            if (await checks.RefuseAsync(request.Spec) is { } refusal)
            {
                return refusal;
            }

            var status = await CallerJobs.StartAsync(grains, user.CallerName(), sweepId, JobKind.Sweep,
                () => grains.GetGrain<ISweepGrain>(sweepId).StartAsync(request.Spec!));
            return Results.Accepted($"/api/sweeps/{sweepId}", status);
        }).WithName("StartSweep").WithSummary("Evaluates many checkpoints (or a verl run folder) with one setup.");

        api.MapGet("/sweeps", async (IGrainFactory grains) => Results.Ok(await Catalog(grains).ListSweepsAsync())).WithName("ListSweeps");

        api.MapGet("/sweeps/{sweepId}", async (string sweepId, IGrainFactory grains) =>
        {
            var status = await grains.GetGrain<ISweepGrain>(sweepId).GetStatusAsync();
            return status.Spec is null ? Results.NotFound() : Results.Ok(status);
        }).WithName("GetSweep");

        api.MapPost("/sweeps/{sweepId}/cancel", async (string sweepId, IGrainFactory grains) =>
            Results.Ok(await grains.GetGrain<ISweepGrain>(sweepId).CancelAsync()))
            .WithName("CancelSweep");

        api.MapPost("/demo", async (IGrainFactory grains, TimeProvider clock, ClaimsPrincipal user) =>
        {
            var sweepId = GridIds.New("demo", clock);
            try
            {
                var status = await CallerJobs.StartAsync(grains, user.CallerName(), sweepId, JobKind.Sweep,
                    () => grains.GetGrain<IDemoGrain>(IDemoGrain.SingletonKey).StartAsync(sweepId));
                return Results.Accepted($"/api/sweeps/{sweepId}", status);
            }
            catch (FileNotFoundException e)
            {
                // A silo deployed without demo/ (VerlOrleans:DemoDirectory): nothing to start, and nothing was.
                return Results.Problem(e.Message, statusCode: 404, title: "This silo has no demo");
            }
        }).WithName("StartDemo").WithSummary("Starts a sweep over the demo verl run folder the silo ships, on its own dataset.");

        return app;
    }

    private static ICatalogGrain Catalog(IGrainFactory grains) => grains.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey);

    private static async Task<RunStatus?> FindRunAsync(IGrainFactory grains, string runId)
    {
        if (!GridIds.IsValid(runId))
        {
            return null;
        }

        var status = await grains.GetGrain<IEvaluationRunGrain>(runId).GetStatusAsync();
        return status.Spec is null ? null : status;
    }
}
