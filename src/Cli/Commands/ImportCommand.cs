using System.CommandLine;
using VerlOrleans.Cli.Grid;
using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans import PATH</c>: takes in what verl already wrote, without generating again. A
/// <c>trainer.validation_data_dir</c> folder becomes a sweep (one run per <c>&lt;global_step&gt;.jsonl</c>), one dump or a
/// generation parquet (<c>responses</c> column) a run. Samples are re-scored with the grid's rewards where their data
/// source routes (disagreements with verl's stored score are counted here and listed in each run's import_report.json),
/// else keep verl's score. Waits for the import (seconds), prints the metrics (a sweep: the comparison table) and the id last.
/// Exit codes: 0 imported, 1 an import failed, 2 usage error, a path the grid refuses, or no silo there.
/// </summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "A validation-dump folder, one <global_step>.jsonl, or a generation parquet (as the silo sees it)" };
        var id = new Option<string?>("--id") { Description = "Id of the run or sweep (default: made up)" };
        var dataSource = new Option<string?>("--data-source") { Description = "The samples' data source, e.g. openai/gsm8k (a validation dump names none; without it: \"unknown\", scores kept)" };
        var keepScores = new Option<bool>("--keep-scores") { Description = "Keep verl's stored scores even where a built-in reward routes the data source" };
        var rewardMode = new Option<string>("--reward-mode") { Description = "legacy (verl <= 0.6) or reward-loop (adds acc)", DefaultValueFactory = _ => "legacy" };
        var routes = new Option<string[]>("--route") { Description = "Extra data-source route SOURCE=REWARD (repeatable)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("import", "Import verl's validation dumps (a folder: a sweep, one run per step) or a generation parquet (a run); scores and compares them like generated runs.")
        {
            path, id, dataSource, keepScores, rewardMode, routes,
        };
        return command.WithGridAction(async call =>
        {
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(call.ParseResult.GetValue(path)!));
            var givenId = call.ParseResult.GetValue(id);
            if (givenId is not null && !GridIds.IsValid(givenId))
            {
                throw new ArgumentException($"--id '{givenId}' may only hold letters, digits, '-', '_' and '.' (at most 100)");
            }

            // A folder is a sweep of its dumps; anything else (what the silo then says is or is not verl's output) a run.
            var file = !Directory.Exists(full) && (File.Exists(full) || full.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || full.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase));
            var spec = new RunSpec
            {
                Checkpoint = full,
                DataFiles = [],
                RewardMode = call.ParseResult.GetValue(rewardMode)!,
                RewardRoutes = call.ParseResult.GetValue(routes) ?? [],
                Import = new ImportSettings { Path = full, DataSource = call.ParseResult.GetValue(dataSource), KeepStoredScores = call.ParseResult.GetValue(keepScores) },
            };
            var grid = await call.ConnectAsync();
            try
            {
                return await ImportAsync(call, grid, full, file, givenId, spec);
            }
            catch (RequestRefusedException refused) when (refused.Errors.Count > 0)
            {
                // The grid names its own request's fields; the user named one path.
                throw new GridInputException($"import {full}: {string.Join("; ", refused.Errors.Select(e => e.Message))}", refused);
            }
        });
    }

    private static async Task<int> ImportAsync(GridInvocation call, IGridService grid, string full, bool file, string? givenId, RunSpec spec)
    {
        if (file)
        {
            var runId = givenId ?? GridIds.New("run", TimeProvider.System);
            await grid.StartRunAsync(runId, spec, call.CancellationToken);
            call.Error.WriteLine($"run {runId}: importing {full}");
            var code = await WatchCommand.WatchRunAsync(call, grid, runId, asJson: false);
            await ReportAsync(call, grid, [runId]);
            call.Output.WriteLine(runId);
            return code;
        }

        var sweepId = givenId ?? GridIds.New("import", TimeProvider.System);
        // Imports read and score files and hold no model: every step may import at once.
        var sweep = await grid.StartSweepAsync(sweepId, new SweepSpec([full], spec, SpecValidation.MaxConcurrentRuns), call.CancellationToken);
        foreach (var row in sweep.Rows)
        {
            call.Error.WriteLine($"sweep {sweepId}: step {row.Step} {Path.GetFileName(row.Checkpoint)} -> run {row.RunId}");
        }

        var result = await WatchCommand.WatchSweepAsync(call, grid, sweepId, asJson: false);
        await ReportAsync(call, grid, sweep.Rows.Select(r => r.RunId).ToList());
        call.Output.WriteLine(sweepId);
        return result;
    }

    /// <summary>What the import noticed, per run: verl's scores that the grid's rewards disagree with, lines it could not read.</summary>
    private static async Task ReportAsync(GridInvocation call, IGridService grid, IReadOnlyList<string> runIds)
    {
        foreach (var runId in runIds)
        {
            if (await grid.FindRunAsync(runId, call.CancellationToken) is { State: RunState.Completed } run
                && (run.ImportDisagreements > 0 || run.ImportRejected > 0))
            {
                call.Error.WriteLine($"run {runId} (step {run.Step}): {run.ImportDisagreements} {(run.ImportDisagreements == 1 ? "sample" : "samples")} scored differently from verl's stored score, "
                    + $"{run.ImportRejected} {(run.ImportRejected == 1 ? "line or row" : "lines or rows")} not readable; listed in its import_report.json");
            }
        }
    }
}
