using Microsoft.AspNetCore.Http.Features;
using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Grains.Checkpoints;
using VerlOrleans.Grains.Inputs;

namespace VerlOrleans.Silo.Api;

/// <summary>
/// Deleting runs, sweeps and checkpoints: 204 when it is gone, 404 (problem details) for an unknown or invalid id, 409
/// with the reason while it is in use (a run queued or running, a sweep running, a checkpoint a run in progress uses).
/// Each is one grain call; the grain refuses before it changes anything.
/// </summary>
public static class GridDeleteApi
{
    public static RouteGroupBuilder MapGridDeletes(this RouteGroupBuilder api)
    {
        api.MapDelete("/runs/{runId}", (string runId, IGrainFactory grains) => !GridIds.IsValid(runId)
                ? Task.FromResult(NotFound("run", $"'{runId}' is not a run id: {GridIds.Rule}"))
                : DeleteAsync("run", runId, grains.GetGrain<IEvaluationRunGrain>(runId).DeleteAsync))
            .WithName("DeleteRun")
            .WithSummary("Deletes a finished run: its results folder, its state and its line in the runs list (409 while it is queued or running).");

        api.MapDelete("/sweeps/{sweepId}", (string sweepId, IGrainFactory grains) => !GridIds.IsValid(sweepId)
                ? Task.FromResult(NotFound("sweep", $"'{sweepId}' is not a sweep id: {GridIds.Rule}"))
                : DeleteAsync("sweep", sweepId, grains.GetGrain<ISweepGrain>(sweepId).DeleteAsync))
            .WithName("DeleteSweep")
            .WithSummary("Deletes a finished sweep and its runs (409 while any of them is unfinished).");

        // A checkpoint's key is its absolute path: its own slashes are the route's segments (/api/checkpoints/home/me/run/
        // global_step_10/actor), or the whole path is one percent-encoded segment (/api/checkpoints/%2Fhome%2Fme%2F...).
        api.MapDelete("/checkpoints/{**key}", (string? key, HttpContext context, IGrainFactory grains) =>
                CheckpointKey(context, key ?? "") is { } path
                    ? DeleteAsync("checkpoint", path, grains.GetGrain<ICheckpointGrain>(path).DeleteAsync)
                    : Task.FromResult(NotFound("checkpoint", $"'{key}' is not a checkpoint path")))
            .WithName("DeleteCheckpoint")
            .WithSummary("Unregisters a checkpoint and deletes the merged model the grid wrote for it; the checkpoint's own folder is never touched (409 while a run in progress uses it).");

        return api;
    }

    private static async Task<IResult> DeleteAsync(string kind, string id, Func<Task<bool>> delete)
    {
        try
        {
            return await delete() ? Results.NoContent() : NotFound(kind, $"there is no {kind} '{id}' in this grid");
        }
        catch (InUseException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: $"The {kind} is in use");
        }
        catch (InvalidOperationException e)
        {
            // State that names a folder outside the grid's own (settings changed since): refused, nothing deleted.
            return Results.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: $"The {kind} cannot be deleted");
        }
    }

    private static IResult NotFound(string kind, string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: $"No such {kind}");

    /// <summary>
    /// The checkpoint key a request names, read from the undecoded request target: the server decodes every escape but
    /// <c>%2F</c> in the path, so only the raw target tells a folder named <c>a%2Fb</c> from <c>a/b</c>. Null when it
    /// names no absolute path.
    /// </summary>
    private static string? CheckpointKey(HttpContext context, string routeValue)
    {
        var pattern = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "";
        var prefix = context.Request.PathBase + "/" + pattern.TrimStart('/').Split('{', 2)[0];
        var target = (context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "").Split('?', 2)[0];
        var spelled = target.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            ? Uri.UnescapeDataString(target[prefix.Length..])
            : routeValue.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        if (spelled.Length is 0 or > PathRoots.MaxPathLength || spelled.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        // Keys are normalized absolute paths (as registration makes them): a trailing slash or a ".." names the same key.
        return CheckpointPaths.Normalize(spelled.StartsWith('/') ? spelled : "/" + spelled);
    }
}
