using System.CommandLine;
using VerlOrleans.Cli.Grid;
using VerlOrleans.Cli.Output;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Evaluation.Results;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans results ID --out DIR</c>: copies a run's results files (results.jsonl, results.parquet, manifest.json,
/// metrics.json and, when there is one, prompt_report.json) from the silo that holds them, through the run grain (in
/// chunks over the gateway, streamed over the HTTP API), so it works wherever the silo runs. A sweep writes each run into DIR/RUN_ID and its comparison table into
/// DIR/sweep.json. Each file is written under a temporary name and renamed when complete; existing files are kept
/// unless <c>--force</c>. Exit codes: 0 every file written, 1 a run has not written all of them (unfinished, failed or
/// cancelled; what exists is still copied), 2 unknown id, existing files, or no silo there.
/// </summary>
public static class ResultsCommand
{
    /// <summary>The files every completed run has.</summary>
    private static readonly string[] RequiredFiles =
        [ResultsFolder.ResultsJsonlFile, ResultsFolder.ResultsParquetFile, ResultsFolder.ManifestFile, ResultsFolder.MetricsFile];

    private const string SweepFile = "sweep.json";

    public static Command Create()
    {
        var id = new Argument<string>("ID") { Description = "Run or sweep id" };
        var output = new Option<string>("--out") { Description = "Folder to write the files into (created)", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace files already in the folder" };
        var command = new Command("results", "Download a run's results files (a sweep: every run's, and its comparison table).") { id, output, force };
        return command.WithGridAction(async call =>
        {
            var folder = Path.GetFullPath(call.ParseResult.GetValue(output)!);
            var grid = await call.ConnectAsync();
            var target = await GridTarget.FindAsync(grid, call.ParseResult.GetValue(id)!, call.CancellationToken);
            var runs = target.Run is { } run
                ? [(run.RunId, folder)]
                : target.Sweep!.Rows.Select(r => (r.RunId, Path.Combine(folder, r.RunId))).ToList();
            if (!call.ParseResult.GetValue(force))
            {
                var targets = runs.SelectMany(r => RequiredFiles.Append(ResultsFolder.PromptReportFile).Select(f => Path.Combine(r.Item2, f)));
                if ((target.Sweep is null ? targets : targets.Append(Path.Combine(folder, SweepFile))).FirstOrDefault(File.Exists) is { } existing)
                {
                    throw new GridInputException($"{existing} already exists; pass --force to replace it, or choose another --out");
                }
            }

            var incomplete = 0;
            foreach (var (runId, runFolder) in runs)
            {
                var missing = await DownloadRunAsync(grid, runId, runFolder, call);
                if (missing.Count > 0)
                {
                    incomplete++;
                    var state = (await grid.FindRunAsync(runId, call.CancellationToken))?.State ?? RunState.Pending;
                    call.Error.WriteLine($"results: run {runId} is {GridStatusText.State(state)} and has no {string.Join(", ", missing)} (a run writes them when it completes)");
                }
            }

            if (target.Sweep is { } sweep)
            {
                var sweepFile = Path.Combine(folder, SweepFile);
                await WriteAtomicallyAsync(sweepFile, async stream => await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(CliJson.Serialize(sweep)), call.CancellationToken));
                call.Output.WriteLine($"wrote {sweepFile}");
            }

            return incomplete == 0 ? 0 : 1;
        });
    }

    /// <summary>Copies every results file the run has into <paramref name="folder"/>; returns the required ones it lacks.</summary>
    private static async Task<List<string>> DownloadRunAsync(IGridService grid, string runId, string folder, GridInvocation call)
    {
        Directory.CreateDirectory(folder);
        var missing = new List<string>();
        foreach (var name in RequiredFiles.Append(ResultsFolder.PromptReportFile))
        {
            var target = Path.Combine(folder, name);
            long bytes = 0;
            var found = await WriteAtomicallyAsync(target, async stream => bytes = await grid.CopyResultsFileAsync(runId, name, stream, call.CancellationToken));
            if (found)
            {
                call.Output.WriteLine($"wrote {target} ({bytes:N0} bytes)");
            }
            else if (RequiredFiles.Contains(name))
            {
                missing.Add(name);
            }
        }

        return missing;
    }

    /// <summary>
    /// Writes <paramref name="path"/> through a temporary file renamed into place when complete, so an interrupted copy
    /// never leaves a truncated file under the real name. Returns false (nothing written) when the silo has no such file.
    /// </summary>
    private static async Task<bool> WriteAtomicallyAsync(string path, Func<Stream, Task> write)
    {
        var partial = path + ".partial";
        try
        {
            await using (var stream = File.Create(partial))
            {
                await write(stream);
            }

            File.Move(partial, path, overwrite: true);
            return true;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
