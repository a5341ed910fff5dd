using System.Text.Json.Nodes;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests.Grid;

/// <summary><c>verlorleans demo</c> against a running silo: the sweep over the demo run the silo ships, every step, followed to its table.</summary>
[Collection(GridSiloCollection.Name)]
public sealed class DemoCommandTests(SiloProcess silo)
{
    [Fact]
    public async Task Demo_watch_evaluates_every_step_of_the_shipped_run_and_prints_the_table()
    {
        var steps = DemoFiles.Steps;

        var demo = await GridCli.RunAsync(silo, ["demo", "--watch"]);

        Assert.True(demo.ExitCode == 0, demo.Error);
        Assert.Contains($"{steps.Count} steps of the demo run", demo.Error, StringComparison.Ordinal);
        var header = demo.Output.Split('\n').First(l => l.Contains("metric", StringComparison.Ordinal));
        Assert.All(steps, step => Assert.Contains($"step {step}", header, StringComparison.Ordinal));

        var sweepId = demo.Error.Split('\n').First(l => l.StartsWith("demo sweep ", StringComparison.Ordinal)).Split(' ')[2].TrimEnd(':');
        var final = JsonNode.Parse((await GridCli.RunAsync(silo, ["watch", sweepId, "--json"])).Output)!;
        var rows = final["rows"]!.AsArray();
        Assert.Equal(steps, rows.Select(r => r!["step"]!.GetValue<long>()));
        Assert.All(rows, r => Assert.Equal("completed", r!["state"]!.GetValue<string>()));
        var scores = rows.Select(r => r!["metrics"]!["val-core/openai/gsm8k/reward/mean@1"]!.GetValue<double>()).ToList();
        Assert.True(scores[^1] > scores[0] + 0.5, string.Join(", ", scores));
    }
}
