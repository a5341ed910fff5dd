using System.Security.Claims;
using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Access;
using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Silo.Security;

namespace VerlOrleans.Silo.Api;

/// <summary>
/// POST /api/imports: what verl already wrote becomes runs on the grid. A validation-dump folder
/// (<c>trainer.validation_data_dir</c>) is a sweep with one run per step; one dump or a generation parquet is a run.
/// </summary>
public static class GridImportApi
{
    public static void MapImports(this RouteGroupBuilder api)
    {
        api.MapPost("/imports", async (StartImportRequest request, IGrainFactory grains, RequestChecks checks, TimeProvider clock, ClaimsPrincipal user) =>
        {
            // The silo reads what it imports: it knows a folder (a sweep) from a file (a run).
            var folder = Directory.Exists(request.Path);
            var id = request.Id ?? GridIds.New(folder ? "import" : "run", clock);
            if (!GridIds.IsValid(id))
            {
                return ApiProblems.Refused([new FieldError("id", $"'{id}' is not an id: {GridIds.Rule}")]);
            }

            var template = new RunSpec
            {
                Checkpoint = request.Path ?? "",
                DataFiles = [],
                RewardMode = request.RewardMode ?? "legacy",
                RewardRoutes = request.RewardRoutes ?? [],
                Import = new ImportSettings { Path = request.Path ?? "", DataSource = request.DataSource, KeepStoredScores = request.KeepStoredScores },
            };
            var ranges = SpecValidation.Validate(template).Select(e => e with { Field = e.Field == "import.path" ? "path" : e.Field.Replace("import.", "", StringComparison.Ordinal) }).ToList();
            if (ranges.Count > 0)
            {
                return ApiProblems.Refused(ranges);
            }

            if (checks.RefuseImport(request.Path, "path", folder) is { } refusal)
            {
                return refusal;
            }

            if (folder)
            {
                var sweep = await CallerJobs.StartAsync(grains, user.CallerName(), id, JobKind.Sweep,
                    () => grains.GetGrain<ISweepGrain>(id).StartAsync(new SweepSpec([request.Path!], template, SpecValidation.MaxConcurrentRuns)));
                return Results.Accepted($"/api/sweeps/{id}", new ImportStarted("sweep", id, null, sweep));
            }

            try
            {
                var run = await CallerJobs.StartAsync(grains, user.CallerName(), id, JobKind.Run,
                    () => grains.GetGrain<IEvaluationRunGrain>(id).StartAsync(template));
                return Results.Accepted($"/api/runs/{id}", new ImportStarted("run", id, run, null));
            }
            catch (InvalidOperationException e)
            {
                return Results.Problem(e.Message, statusCode: StatusCodes.Status409Conflict);
            }
        }).WithName("StartImport").WithSummary("Imports verl's validation dumps (a folder: a sweep, one run per step) or a generation parquet (a run).");
    }
}

/// <summary>Body of POST /api/imports.</summary>
/// <param name="Path">A validation-dump folder, one <c>&lt;global_step&gt;.jsonl</c>, or a generation parquet (inside the data roots).</param>
/// <param name="Id">The run or sweep id (default: made up).</param>
/// <param name="DataSource">The samples' data source (a validation dump names none).</param>
/// <param name="KeepStoredScores">Keep verl's scores even where a reward routes the data source.</param>
/// <param name="RewardMode">"legacy" or "reward-loop", as for runs.</param>
/// <param name="RewardRoutes">SOURCE=REWARD routes added to verl's defaults.</param>
public sealed record StartImportRequest(string? Path, string? Id = null, string? DataSource = null, bool KeepStoredScores = false,
    string? RewardMode = null, IReadOnlyList<string>? RewardRoutes = null);

/// <summary>Answer of POST /api/imports: a run or a sweep, with its status.</summary>
public sealed record ImportStarted(string Kind, string Id, RunStatus? Run, SweepStatus? Sweep);
