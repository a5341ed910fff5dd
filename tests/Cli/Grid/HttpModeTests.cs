using System.Globalization;
using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests.Grid;

/// <summary>
/// The grid commands with <c>--api URL</c> against the same real silo process the gateway tests use: each scenario runs
/// over HTTP (watching through the silo's Server-Sent Events) and is held against what the gateway path prints for the
/// same thing: the same metrics and comparison tables, byte-identical downloads, the same refusals and exit codes.
/// </summary>
[Collection(GridSiloCollection.Name)]
public sealed class HttpModeTests(SiloProcess silo) : IDisposable
{
    private const string MeanAt1 = "val-core/openai/gsm8k/reward/mean@1";

    private readonly TempDirectory _temp = new("cli-http");

    [Fact]
    public async Task Submit_watch_results_and_runs_over_http_give_what_the_gateway_gives()
    {
        var submit = await GridCli.RunAsync(silo, GridMode.Http, ["submit", "--checkpoint", TinyChatModel.Folder, "--data", VerlData.Gsm8k, "--max-samples", "24",
            "--max-response-length", "24", "--batch-size", "4", "--max-prompt-length", "512", "--truncation", "left"]);
        Assert.True(submit.ExitCode == 0, submit.Error);
        var runId = GridCli.LastLine(submit.Output);
        Assert.StartsWith("run-", runId, StringComparison.Ordinal);
        Assert.Contains($"run {runId}: {TinyChatModel.Folder} on {VerlData.Gsm8k}", submit.Error, StringComparison.Ordinal);

        // Watched from the start over the event stream: progress lines while it runs, then the table.
        var watch = await GridCli.RunAsync(silo, GridMode.Http, ["watch", runId]);
        Assert.True(watch.ExitCode == 0, watch.Error);
        Assert.Contains(MeanAt1, watch.Output, StringComparison.Ordinal);
        Assert.Contains($"run {runId}: completed 24/24 samples", watch.Error, StringComparison.Ordinal);
        var gatewayWatch = await GridCli.RunAsync(silo, GridMode.Gateway, ["watch", runId]);
        Assert.Equal(0, gatewayWatch.ExitCode);
        Assert.Equal(gatewayWatch.Output, watch.Output);
        Assert.Equal(GridCli.LastLine(gatewayWatch.Error), GridCli.LastLine(watch.Error));

        var json = await GridCli.RunAsync(silo, GridMode.Http, ["watch", runId, "--json"]);
        Assert.Equal((await GridCli.RunAsync(silo, GridMode.Gateway, ["watch", runId, "--json"])).Output, json.Output);
        Assert.Equal("completed", JsonNode.Parse(json.Output)!["state"]!.GetValue<string>());

        var overHttp = _temp.Combine("http");
        var overGateway = _temp.Combine("gateway");
        var results = await GridCli.RunAsync(silo, GridMode.Http, ["results", runId, "--out", overHttp]);
        var gatewayResults = await GridCli.RunAsync(silo, GridMode.Gateway, ["results", runId, "--out", overGateway]);
        Assert.True(results.ExitCode == 0, results.Error);
        Assert.Equal(0, gatewayResults.ExitCode);
        Assert.Equal(gatewayResults.Output.Replace(overGateway, overHttp, StringComparison.Ordinal), results.Output);
        foreach (var file in new[] { ResultsFolder.ResultsJsonlFile, ResultsFolder.ResultsParquetFile, ResultsFolder.ManifestFile, ResultsFolder.MetricsFile, ResultsFolder.PromptReportFile })
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(overHttp, file));
            Assert.NotEmpty(bytes);
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(overGateway, file)), bytes);
        }

        Assert.Empty(Directory.GetFiles(overHttp, "*.partial"));
        Assert.Equal(24, (await ResultsReader.ReadAsync(Path.Combine(overHttp, ResultsFolder.ResultsParquetFile))).Count);

        var runs = JsonNode.Parse((await GridCli.RunAsync(silo, GridMode.Http, ["runs", "--json"])).Output)!;
        var gatewayRuns = JsonNode.Parse((await GridCli.RunAsync(silo, GridMode.Gateway, ["runs", "--json"])).Output)!;
        Assert.Equal(RunIds(gatewayRuns), RunIds(runs));
        Assert.Equal(Listed(gatewayRuns, runId), Listed(runs, runId));
        Assert.Equal("completed", JsonNode.Parse(Listed(runs, runId))!["state"]!.GetValue<string>());
        var table = await GridCli.RunAsync(silo, GridMode.Http, ["runs"]);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains(runId, table.Output, StringComparison.Ordinal);
        Assert.Contains($"sweep(s) at {GridCli.ApiAddress(silo)}", table.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_over_http_stops_a_running_run_and_watch_reports_it()
    {
        var submit = await GridCli.RunAsync(silo, GridMode.Http, ["submit", "--checkpoint", TinyChatModel.Folder, "--data", VerlData.Gsm8k, "--max-samples", "400",
            "--max-response-length", "64", "--batch-size", "4", "--max-prompt-length", "512", "--truncation", "left"]);
        Assert.True(submit.ExitCode == 0, submit.Error);
        var runId = GridCli.LastLine(submit.Output);
        await GridCli.WaitForAsync(silo, runId, s => s.Progress.SamplesDone >= 1, TimeSpan.FromMinutes(3));

        var cancel = await GridCli.RunAsync(silo, GridMode.Http, ["cancel", runId]);
        var watch = await GridCli.RunAsync(silo, GridMode.Http, ["watch", runId]);
        var again = await GridCli.RunAsync(silo, GridMode.Http, ["cancel", runId]);

        Assert.True(cancel.ExitCode == 0, cancel.Error);
        Assert.Contains($"run {runId}: cancelled", cancel.Output, StringComparison.Ordinal);
        Assert.Equal(RunState.Cancelled, (await GridCli.HttpStatusAsync(silo, runId)).State);
        Assert.Equal(1, watch.ExitCode);
        Assert.Contains($"run {runId} cancelled", watch.Error, StringComparison.Ordinal);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal((await GridCli.RunAsync(silo, GridMode.Gateway, ["cancel", runId])).Output, again.Output);
        Assert.Contains("had already cancelled; nothing to cancel", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sweep_over_http_is_watched_to_the_gateways_comparison_table()
    {
        var runFolder = _temp.Combine("verl-run");
        VerlRunFolderBuilder.Write(runFolder, steps: 2);

        var submit = await GridCli.RunAsync(silo, GridMode.Http, ["submit", "--checkpoint", runFolder, "--data", VerlData.Gsm8k, "--max-samples", "2",
            "--max-response-length", "8", "--max-prompt-length", "512", "--truncation", "left"]);
        Assert.True(submit.ExitCode == 0, submit.Error);
        var sweepId = GridCli.LastLine(submit.Output);
        Assert.StartsWith("sweep-", sweepId, StringComparison.Ordinal);
        Assert.Contains($"sweep {sweepId}: step 2 {Path.Combine(runFolder, "global_step_2", "actor")} -> run {sweepId}-002", submit.Error, StringComparison.Ordinal);

        var watch = await GridCli.RunAsync(silo, GridMode.Http, ["watch", sweepId]);
        var gatewayWatch = await GridCli.RunAsync(silo, GridMode.Gateway, ["watch", sweepId]);

        Assert.True(watch.ExitCode == 0, watch.Error);
        Assert.Contains(MeanAt1, watch.Output, StringComparison.Ordinal);
        Assert.Contains($"sweep {sweepId}: step 2 · {sweepId}-002 · completed 100%", watch.Error, StringComparison.Ordinal);
        Assert.Equal(gatewayWatch.Output, watch.Output);

        // A finished sweep has nothing left to stop: both paths say so the same way.
        var cancel = await GridCli.RunAsync(silo, GridMode.Http, ["cancel", sweepId]);
        Assert.Equal(0, cancel.ExitCode);
        Assert.Equal(2, cancel.Output.Split('\n').Count(l => l.StartsWith($"sweep {sweepId}: ", StringComparison.Ordinal)));
        Assert.Equal((await GridCli.RunAsync(silo, GridMode.Gateway, ["cancel", sweepId])).Output, cancel.Output);
    }

    [Theory]
    [InlineData(GridMode.Gateway)]
    [InlineData(GridMode.Http)]
    public async Task Refusals_name_the_field_as_the_gateway_does(GridMode mode)
    {
        const string Outside = "/verlorleans-nowhere/gsm8k_test.parquet";
        using var temp = new TempDirectory("cli-refused");
        var missing = temp.Combine("no-such-checkpoint");

        var outside = await GridCli.RunAsync(silo, mode, ["submit", "--checkpoint", TinyChatModel.Folder, "--data", Outside, "--max-samples", "1"]);
        var unreadable = await GridCli.RunAsync(silo, mode, ["submit", "--checkpoint", missing, "--data", VerlData.Gsm8k]);

        Assert.Equal(2, outside.ExitCode);
        Assert.StartsWith($"submit: dataFiles[0] {Outside} is outside the folders this grid may read", outside.Error, StringComparison.Ordinal);
        Assert.Equal("", outside.Output);
        Assert.Equal(2, unreadable.ExitCode);
        Assert.StartsWith($"submit: --checkpoint {missing}: the grid cannot read it: ", unreadable.Error, StringComparison.Ordinal);
        Assert.Equal("", unreadable.Output);
        if (mode == GridMode.Http)
        {
            // The same lines, word for word, as the gateway path prints.
            Assert.Equal((await GridCli.RunAsync(silo, ["submit", "--checkpoint", TinyChatModel.Folder, "--data", Outside, "--max-samples", "1"])).Error, outside.Error);
            Assert.Equal((await GridCli.RunAsync(silo, ["submit", "--checkpoint", missing, "--data", VerlData.Gsm8k])).Error, unreadable.Error);
        }
    }

    [Fact]
    public async Task Fields_only_the_api_checks_are_refused_naming_the_field_and_nothing_starts()
    {
        var id = $"refused-{Guid.NewGuid():N}";
        var missingData = _temp.Combine("missing.parquet");

        var batch = await GridCli.RunAsync(silo, GridMode.Http, ["submit", "--checkpoint", TinyChatModel.Folder, "--data", VerlData.Gsm8k, "--batch-size", "5000", "--id", id]);
        var data = await GridCli.RunAsync(silo, GridMode.Http, ["submit", "--checkpoint", TinyChatModel.Folder, "--data", missingData, "--id", id]);
        var watch = await GridCli.RunAsync(silo, GridMode.Http, ["watch", id]);

        Assert.Equal(2, batch.ExitCode);
        Assert.StartsWith("submit: batchSize ", batch.Error, StringComparison.Ordinal);
        Assert.Contains("4096", batch.Error, StringComparison.Ordinal);
        Assert.Equal(2, data.ExitCode);
        Assert.Equal($"submit: dataFiles[0] '{missingData}' does not exist (or is not a file)", data.Error.TrimEnd());
        Assert.Equal(2, watch.ExitCode);
        Assert.Contains($"no run or sweep '{id}'", watch.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("watch")]
    [InlineData("cancel")]
    [InlineData("results")]
    public async Task An_unknown_id_over_http_is_a_usage_error_naming_the_api(string command)
    {
        var (exit, output, error) = await GridCli.RunAsync(silo, GridMode.Http, command == "results" ? [command, "no-such-run", "--out", _temp.Path] : [command, "no-such-run"]);

        Assert.Equal(2, exit);
        Assert.Equal($"{command}: no run or sweep 'no-such-run' in the grid at {GridCli.ApiAddress(silo)}", error.TrimEnd());
        Assert.Equal("", output);
    }

    [Fact]
    public async Task A_demo_over_http_starts_the_shipped_sweep_and_cancel_stops_it()
    {
        var demo = await GridCli.RunAsync(silo, GridMode.Http, ["demo"]);
        Assert.True(demo.ExitCode == 0, demo.Error);
        var sweepId = GridCli.LastLine(demo.Output);
        Assert.StartsWith("demo-", sweepId, StringComparison.Ordinal);
        Assert.Contains($"demo sweep {sweepId}: {DemoFiles.Steps.Count.ToString(CultureInfo.InvariantCulture)} steps of the demo run", demo.Error, StringComparison.Ordinal);

        var cancel = await GridCli.RunAsync(silo, GridMode.Http, ["cancel", sweepId]);

        Assert.True(cancel.ExitCode == 0, cancel.Error);
        Assert.Equal(DemoFiles.Steps.Count, cancel.Output.Split('\n').Count(l => l.StartsWith($"sweep {sweepId}: ", StringComparison.Ordinal)));
        var json = JsonNode.Parse((await GridCli.RunAsync(silo, GridMode.Http, ["watch", sweepId, "--json"])).Output)!;
        Assert.All(json["rows"]!.AsArray(), r => Assert.Contains(r!["state"]!.GetValue<string>(), new[] { "completed", "cancelled" }));
    }

    public void Dispose() => _temp.Dispose();

    private static List<string> RunIds(JsonNode runs) => runs["runs"]!.AsArray().Select(r => r!["runId"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();

    private static string Listed(JsonNode runs, string runId) => runs["runs"]!.AsArray().Single(r => r!["runId"]!.GetValue<string>() == runId)!.ToJsonString();
}
