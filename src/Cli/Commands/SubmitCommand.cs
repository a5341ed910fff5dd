using System.CommandLine;
using VerlOrleans.Cli.Evaluation;
using VerlOrleans.Cli.Grid;
using VerlOrleans.Cli.Output;
using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans submit --checkpoint PATH... --data FILE...</c>: starts an evaluation on the grid and returns at once.
/// One checkpoint is one run; several checkpoints, or a verl run folder (every global_step_N/actor in it), are a sweep.
/// The evaluation options are <c>eval</c>'s. The run or sweep id is the last line on stdout (scripts read it); what was
/// started goes to stderr. Exit codes: 0 started, 1 the grid refused to start it, 2 usage error, unreadable checkpoint,
/// a field the grid refuses, or no silo there.
/// </summary>
public static class SubmitCommand
{
    public static Command Create()
    {
        var checkpoints = new Option<string[]>("--checkpoint")
        {
            Description = "Hugging Face folder, verl actor folder, or verl run folder (a sweep over its steps); several make a sweep",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var id = new Option<string?>("--id") { Description = "Id of the run or sweep (default: made up, e.g. run-20250101-120000-a1b2c3)" };
        var maxConcurrentRuns = new Option<int>("--max-concurrent-runs") { Description = "Sweeps: runs evaluating at once (each holds its own model)", DefaultValueFactory = _ => 2 };
        var evaluation = new EvaluationOptions();

        var command = new Command("submit", "Start an evaluation run (one checkpoint) or a sweep (several, or a verl run folder) on the grid; prints its id last.")
        {
            checkpoints, id, maxConcurrentRuns,
        };
        foreach (var option in evaluation.All)
        {
            command.Options.Add(option);
        }

        return command.WithGridAction(async call =>
        {
            var paths = call.ParseResult.GetValue(checkpoints)!.Select(AbsoluteFolder).ToList();
            var template = evaluation.ReadRunSpec(call.ParseResult, paths[0]);
            var concurrent = call.ParseResult.GetValue(maxConcurrentRuns);
            if (concurrent < 1)
            {
                throw new ArgumentException($"--max-concurrent-runs {concurrent} must be at least 1");
            }

            var givenId = call.ParseResult.GetValue(id);
            if (givenId is not null && !GridIds.IsValid(givenId))
            {
                throw new ArgumentException($"--id '{givenId}' may only hold letters, digits, '-', '_' and '.' (at most 100)");
            }

            var grid = await call.ConnectAsync();
            var cancellation = call.CancellationToken;
            var registered = new List<IReadOnlyList<string>>();
            foreach (var path in paths)
            {
                registered.Add(await RegisterAsync(grid, path, cancellation));
            }

            // A verl run folder registers the steps inside it, never the folder itself: that, or several paths, is a sweep.
            var single = paths.Count == 1 && registered[0] is [var only] && only == paths[0] ? only : null;
            var existing = givenId is null ? null : await GridTarget.TryFindAsync(grid, givenId, cancellation);
            if (single is not null)
            {
                var runId = givenId ?? GridIds.New("run", TimeProvider.System);
                if (existing?.Sweep is not null)
                {
                    throw new GridInputException($"--id '{runId}' already names a sweep");
                }

                var status = await StartRunAsync(grid, runId, template with { Checkpoint = single }, cancellation);
                call.Error.WriteLine($"run {runId}: {single} on {string.Join(", ", template.DataFiles)} ({GridStatusText.State(status.State)})");
                call.Output.WriteLine(runId);
                return 0;
            }

            var sweepId = givenId ?? GridIds.New("sweep", TimeProvider.System);
            if (existing is not null)
            {
                throw new GridInputException($"--id '{sweepId}' already names a {existing.Kind}; watch it, or submit under another id");
            }

            var sweep = await grid.StartSweepAsync(sweepId, new SweepSpec(paths, template, concurrent), cancellation);
            foreach (var row in sweep.Rows)
            {
                call.Error.WriteLine($"sweep {sweepId}: {GridStatusText.Label(row)} {row.Checkpoint} -> run {row.RunId}");
            }

            if (sweep.Error is { } error)
            {
                call.Error.WriteLine($"submit: sweep {sweepId} failed to start: {error}");
                call.Output.WriteLine(sweepId);
                return 1;
            }

            call.Output.WriteLine(sweepId);
            return 0;
        });
    }

    /// <summary>Registers a path with the grid's catalog (checked by the silo, which reads it); returns the checkpoint keys.</summary>
    private static async Task<IReadOnlyList<string>> RegisterAsync(IGridService grid, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await grid.RegisterCheckpointsAsync(path, cancellationToken);
        }
        catch (RequestRefusedException refused) when (refused.Errors.Count > 0)
        {
            // The field is the request's ("path"); the user named it with --checkpoint, which the message already says.
            throw new GridInputException($"--checkpoint {path}: the grid cannot read it: {string.Join("; ", refused.Errors.Select(e => e.Message))}", refused);
        }
        catch (Exception e) when (e is not (OrleansException or TimeoutException or OutOfMemoryException or GridInputException
            or HttpRequestException or OperationCanceledException))
        {
            // What the silo's catalog throws for a folder it cannot read (missing, not a checkpoint).
            throw new GridInputException($"--checkpoint {path}: the grid cannot read it: {e.Message}", e);
        }
    }

    private static async Task<RunStatus> StartRunAsync(IGridService grid, string runId, RunSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            return await grid.StartRunAsync(runId, spec, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            // The run grain refuses a second start of the same id with different settings.
            throw new GridInputException($"--id {runId}: {e.Message}", e);
        }
    }

    /// <summary>The folder as the grid keys it: absolute (the silo has its own working directory), no trailing separator.</summary>
    private static string AbsoluteFolder(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
}
