using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests.Grid;

/// <summary>A verl run folder submitted through the CLI is a sweep: one run per step, watched to the comparison table, downloaded per run.</summary>
[Collection(GridSiloCollection.Name)]
public sealed class SweepCommandsTests(SiloProcess silo) : IDisposable
{
    private readonly TempDirectory _temp = new("cli-sweep");

    [Fact]
    public async Task A_verl_run_folder_becomes_a_sweep_whose_comparison_table_has_every_step()
    {
        var runFolder = _temp.Combine("verl-run");
        VerlRunFolderBuilder.Write(runFolder, steps: 3);

        var submit = await GridCli.RunAsync(silo, ["submit", "--checkpoint", runFolder, "--data", VerlData.Gsm8k, "--max-samples", "2", "--max-response-length", "8",
            "--max-prompt-length", "512", "--truncation", "left", "--max-concurrent-runs", "3"]);
        Assert.True(submit.ExitCode == 0, submit.Error);
        var sweepId = GridCli.LastLine(submit.Output);
        Assert.StartsWith("sweep-", sweepId, StringComparison.Ordinal);
        for (var step = 1; step <= 3; step++)
        {
            Assert.Contains($"sweep {sweepId}: step {step} {Path.Combine(runFolder, $"global_step_{step}", "actor")} -> run {sweepId}-00", submit.Error, StringComparison.Ordinal);
        }

        var watch = await GridCli.RunAsync(silo, ["watch", sweepId]);
        Assert.True(watch.ExitCode == 0, watch.Error);
        var header = watch.Output.Split('\n').First(l => l.Contains("metric", StringComparison.Ordinal));
        Assert.True(header.IndexOf("step 1", StringComparison.Ordinal) < header.IndexOf("step 2", StringComparison.Ordinal)
            && header.IndexOf("step 2", StringComparison.Ordinal) < header.IndexOf("step 3", StringComparison.Ordinal), watch.Output);
        Assert.Contains("val-core/openai/gsm8k/reward/mean@1", watch.Output, StringComparison.Ordinal);
        Assert.Contains($"sweep {sweepId}: step 3 · {sweepId}-003 · completed 100%", watch.Error, StringComparison.Ordinal);

        var final = JsonNode.Parse((await GridCli.RunAsync(silo, ["watch", sweepId, "--json"])).Output)!;
        var rows = final["rows"]!.AsArray();
        Assert.Equal([1L, 2L, 3L], rows.Select(r => r!["step"]!.GetValue<long>()));
        Assert.All(rows, r => Assert.Equal("completed", r!["state"]!.GetValue<string>()));

        var download = _temp.Combine("download");
        var results = await GridCli.RunAsync(silo, ["results", sweepId, "--out", download]);
        Assert.True(results.ExitCode == 0, results.Error);
        foreach (var row in rows)
        {
            var runId = row!["runId"]!.GetValue<string>();
            var metrics = MetricsJson.Read(Path.Combine(download, runId, ResultsFolder.MetricsFile));
            Assert.Equal(row["metrics"]!["val-core/openai/gsm8k/reward/mean@1"]!.GetValue<double>(), metrics.Single(m => m.Key == "val-core/openai/gsm8k/reward/mean@1").Value);
            Assert.Equal(2, (await ResultsReader.ReadAsync(Path.Combine(download, runId, ResultsFolder.ResultsParquetFile))).Count);
        }

        var table = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(download, "sweep.json")))!;
        Assert.Equal(sweepId, table["sweepId"]!.GetValue<string>());
        Assert.Equal(3, table["rows"]!.AsArray().Count);

        var listed = JsonNode.Parse((await GridCli.RunAsync(silo, ["runs", "--json"])).Output)!;
        Assert.Contains(listed["sweeps"]!.AsArray(), s => s!["sweepId"]!.GetValue<string>() == sweepId && s["checkpoints"]!.GetValue<int>() == 3);
        Assert.Equal(3, listed["runs"]!.AsArray().Count(r => r!["sweepId"]?.GetValue<string>() == sweepId));
    }

    public void Dispose() => _temp.Dispose();
}
