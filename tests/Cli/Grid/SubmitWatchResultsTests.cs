using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests.Grid;

/// <summary>
/// The CLI as a cluster client of a real silo process: <c>submit</c> → <c>watch</c> → <c>results</c> on real gsm8k rows
/// with the tiny chat model, checked against the silo's own files and against <c>eval</c> run with the same options in
/// this process; and a verl actor folder submitted alone is one run.
/// </summary>
[Collection(GridSiloCollection.Name)]
public sealed class SubmitWatchResultsTests(SiloProcess silo) : IDisposable
{
    private readonly TempDirectory _temp = new("cli-grid");

    [Fact]
    public async Task Submit_watch_and_results_round_trip_a_run_that_answers_as_eval_does()
    {
        string[] evaluation = ["--data", VerlData.Gsm8k, "--max-samples", "4", "--max-response-length", "16", "--seed", "7", "--max-prompt-length", "512", "--truncation", "left",
            "--route", "my/source=gsm8k"];

        var submit = await GridCli.RunAsync(silo, ["submit", "--checkpoint", TinyChatModel.Folder, .. evaluation]);
        Assert.True(submit.ExitCode == 0, submit.Error);
        var runId = GridCli.LastLine(submit.Output);
        Assert.StartsWith("run-", runId, StringComparison.Ordinal);
        Assert.Contains($"run {runId}: {TinyChatModel.Folder} on {VerlData.Gsm8k}", submit.Error, StringComparison.Ordinal);

        var watch = await GridCli.RunAsync(silo, ["watch", runId]);
        Assert.True(watch.ExitCode == 0, watch.Error);
        Assert.Contains("val-core/openai/gsm8k/reward/mean@1", watch.Output, StringComparison.Ordinal);
        Assert.Contains($"run {runId}: completed 4/4 samples · openai/gsm8k 0.000", watch.Error, StringComparison.Ordinal);

        var final = JsonNode.Parse((await GridCli.RunAsync(silo, ["watch", runId, "--json"])).Output)!;
        Assert.Equal("completed", final["state"]!.GetValue<string>());
        var siloFolder = final["resultsDirectory"]!.GetValue<string>();
        Assert.StartsWith(silo.DataDirectory, siloFolder, StringComparison.Ordinal);

        var download = _temp.Combine("download");
        var results = await GridCli.RunAsync(silo, ["results", runId, "--out", download]);
        Assert.True(results.ExitCode == 0, results.Error);
        foreach (var file in new[] { ResultsFolder.ResultsJsonlFile, ResultsFolder.ResultsParquetFile, ResultsFolder.ManifestFile, ResultsFolder.MetricsFile, ResultsFolder.PromptReportFile })
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(siloFolder, file)), await File.ReadAllBytesAsync(Path.Combine(download, file)));
        }

        Assert.Empty(Directory.GetFiles(download, "*.partial"));
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(download, ResultsFolder.ManifestFile)))!;
        Assert.Equal("gsm8k", manifest["reward"]!["routes"]!["my/source"]!.GetValue<string>());
        Assert.Equal(512, manifest["prompt"]!["max_prompt_length"]!.GetValue<int>());
        Assert.Equal(7, manifest["sampling"]!["seed"]!.GetValue<int>());
        var rows = await ResultsReader.ReadAsync(Path.Combine(download, ResultsFolder.ResultsParquetFile));
        Assert.Equal(4, rows.Count);
        var metrics = MetricsJson.Read(Path.Combine(download, ResultsFolder.MetricsFile));
        Assert.Equal(metrics, ResultsReader.ComputeMetrics(rows));
        Assert.Equal(metrics.Single(m => m.Key == "val-core/openai/gsm8k/reward/mean@1").Value, final["metrics"]!["val-core/openai/gsm8k/reward/mean@1"]!.GetValue<double>());

        // The same options through eval, in this process, give the same greedy answers.
        var local = _temp.Combine("eval");
        var eval = await CliHarness.RunAsync(["eval", "--model", TinyChatModel.Folder, "--out", local, .. evaluation]);
        Assert.True(eval.ExitCode == 0, eval.Error);
        var expected = await ResultsReader.ReadJsonlAsync(Path.Combine(local, ResultsFolder.ResultsJsonlFile));
        var actual = await ResultsReader.ReadJsonlAsync(Path.Combine(download, ResultsFolder.ResultsJsonlFile));
        Assert.Equal(expected.ToDictionary(r => (r.Uid, r.SampleIndex), r => r.ResponseText), actual.ToDictionary(r => (r.Uid, r.SampleIndex), r => r.ResponseText));
        Assert.Equal(MetricsJson.Read(Path.Combine(local, ResultsFolder.MetricsFile)), metrics);

        var again = await GridCli.RunAsync(silo, ["results", runId, "--out", download]);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists; pass --force", again.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await GridCli.RunAsync(silo, ["results", runId, "--out", download, "--force"])).ExitCode);

        var runs = JsonNode.Parse((await GridCli.RunAsync(silo, ["runs", "--json"])).Output)!;
        var listed = runs["runs"]!.AsArray().Single(r => r!["runId"]!.GetValue<string>() == runId)!;
        Assert.Equal("completed", listed["state"]!.GetValue<string>());
        Assert.Equal(TinyChatModel.Folder, listed["checkpoint"]!.GetValue<string>());
        var table = await GridCli.RunAsync(silo, ["runs"]);
        Assert.Contains(runId, table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_verl_actor_folder_submitted_alone_is_one_run_merged_by_the_grid()
    {
        var actor = Path.Combine(RepositoryPaths.Root, "tests", "Fixtures", "tiny-chat-actor");

        var submit = await GridCli.RunAsync(silo, ["submit", "--checkpoint", actor + "/", "--data", VerlData.Gsm8k, "--max-samples", "1", "--max-response-length", "4", "--id", "actor-alone"]);
        var watch = await GridCli.RunAsync(silo, ["watch", "actor-alone"]);

        Assert.True(submit.ExitCode == 0, submit.Error);
        Assert.Equal("actor-alone", GridCli.LastLine(submit.Output));
        Assert.True(watch.ExitCode == 0, watch.Error);
        var status = await GridCli.HttpStatusAsync(silo, "actor-alone");
        Assert.Equal(actor, status.Spec!.Checkpoint);
        Assert.Null(status.SweepId);
        Assert.Equal(1, status.Progress.SamplesDone);

        // The same id again with other settings is refused, naming the id; with the same settings it is the same run.
        var other = await GridCli.RunAsync(silo, ["submit", "--checkpoint", actor, "--data", VerlData.Gsm8k, "--max-samples", "2", "--id", "actor-alone"]);
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("actor-alone", other.Error, StringComparison.Ordinal);
        Assert.Contains("different settings", other.Error, StringComparison.Ordinal);
        var same = await GridCli.RunAsync(silo, ["submit", "--checkpoint", actor, "--data", VerlData.Gsm8k, "--max-samples", "1", "--max-response-length", "4", "--id", "actor-alone"]);
        Assert.True(same.ExitCode == 0, same.Error);
        Assert.Contains("(completed)", same.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
