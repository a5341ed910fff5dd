using System.Text.Json.Nodes;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests;

/// <summary><c>verlorleans metrics</c>: verl-named metrics from samples or from a results file.</summary>
public sealed class MetricsCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("cli-metrics");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Prints_exactly_the_metrics_verl_computed_for_the_golden_batches()
    {
        var cases = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "tests", "Evaluation", "Golden", "metrics.json")))!["cases"]!.AsArray();
        foreach (var golden in cases)
        {
            var input = _dir.Combine($"{golden!["name"]}.jsonl");
            await File.WriteAllLinesAsync(input, golden["samples"]!.AsArray().Select(s => s!.ToJsonString()));

            var (exit, stdout, stderr) = await CliHarness.RunAsync("metrics", "--input", input, "--no-pass-at-k");

            Assert.True(exit == 0, stderr);
            var actual = JsonNode.Parse(stdout)!.AsObject();
            var expected = golden["expected"]!.AsObject();
            Assert.Equal(expected.Select(p => p.Key), actual.Select(p => p.Key));
            foreach (var (name, value) in expected)
            {
                Assert.True(value!.GetValue<double>() == actual[name]!.GetValue<double>(), $"{golden["name"]} {name}: verl {value}, CLI {actual[name]}");
            }
        }
    }

    [Fact]
    public async Task Adds_pass_at_k_unless_asked_not_to()
    {
        var input = _dir.Combine("s.jsonl");
        await File.WriteAllLinesAsync(input,
        [
            """{"data_source":"openai/gsm8k","uid":"a","reward":1.0}""",
            """{"data_source":"openai/gsm8k","uid":"a","reward":0.0}""",
            """{"data_source":"openai/gsm8k","uid":"b","reward":0.0}""",
            """{"data_source":"openai/gsm8k","uid":"b","reward":0.0}""",
        ]);

        var (exit, stdout, _) = await CliHarness.RunAsync("metrics", "--input", input);

        Assert.Equal(0, exit);
        var metrics = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal(0.25, metrics["val-core/openai/gsm8k/reward/mean@2"]!.GetValue<double>());
        Assert.Equal(0.25, metrics["val-aux/openai/gsm8k/reward/pass@1"]!.GetValue<double>());
        Assert.Equal(0.5, metrics["val-aux/openai/gsm8k/reward/pass@2"]!.GetValue<double>());
    }

    [Fact]
    public async Task Reads_a_results_file()
    {
        var results = _dir.Combine("results.jsonl");
        await File.WriteAllLinesAsync(results,
        [
            """{"uid":"q1","sample_index":1,"position":0,"data_source":"openai/gsm8k","response":"#### 3","score":0.0}""",
            """{"uid":"q1","sample_index":0,"position":0,"data_source":"openai/gsm8k","response":"#### 2","score":1.0}""",
        ]);

        var (exit, stdout, stderr) = await CliHarness.RunAsync("metrics", "--results", results, "--no-pass-at-k");

        Assert.True(exit == 0, stderr);
        var metrics = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal(0.5, metrics["val-core/openai/gsm8k/reward/mean@2"]!.GetValue<double>());
        Assert.Equal(0.5, metrics["val-aux/openai/gsm8k/reward/std@2"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("""{"data_source":"s"}""", 1, "line 1: 'uid' is missing")]
    [InlineData("""{"uid":"a","reward":[1]}""", 1, "line 1: 'reward' must be a number, bool, string or null")]
    [InlineData("""{"uid":"a","reward":1}|{"uid":"a","reward":"x"}""", 1, "variable 'reward' mixes numbers with x")]
    [InlineData("""{"uid":"a","reward":1}|{"uid":"a"}""", 1, "variable 'reward' is missing from this sample")]
    [InlineData("not json", 2, "line 1: not valid JSON")]
    public async Task Bad_samples_fail_naming_the_line_or_uid(string lines, int expectedExit, string expected)
    {
        var input = _dir.Combine("bad.jsonl");
        await File.WriteAllLinesAsync(input, lines.Split('|'));

        var (exit, _, stderr) = await CliHarness.RunAsync("metrics", "--input", input);

        Assert.Equal(expectedExit, exit);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Needs_exactly_one_input()
    {
        var neither = await CliHarness.RunAsync("metrics");
        var missing = await CliHarness.RunAsync("metrics", "--results", _dir.Combine("nope.parquet"));

        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("exactly one of --input or --results", neither.Error, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope.parquet: file not found", missing.Error, StringComparison.Ordinal);
    }
}
