using System.Globalization;
using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests;

/// <summary>
/// <c>--reward-path</c>/<c>--reward-name</c>/<c>--reward-kwargs</c> (verl's custom_reward_function) on <c>score</c>,
/// <c>eval</c> and <c>submit</c>, with real /usr/bin/python3 workers.
/// </summary>
public sealed class CustomRewardCommandsTests : IDisposable
{
    private readonly TempDirectory _dir = new("cli-custom-reward");

    public void Dispose() => _dir.Dispose();

    /// <summary>verl's gsm8k rule as a custom reward file (the one the evaluation tests check against the native scorer).</summary>
    private static string Gsm8kRewardFile => Path.Combine(RepositoryPaths.Root, "tests", "Evaluation", "Rewards", "Python", "Files", "gsm8k_reward.py");

    [Fact]
    public async Task Score_runs_a_custom_reward_file_and_marks_the_lines_it_failed_on()
    {
        var reward = _dir.Combine("reward.py");
        File.WriteAllText(reward, """
            def judge(data_source, solution_str, ground_truth, extra_info=None, scale=1.0):
                if solution_str == "boom":
                    raise RuntimeError("no answer in " + solution_str)
                right = solution_str.endswith(ground_truth)
                return {"score": scale * right, "acc": right, "source": data_source}
            """);
        var input = _dir.Combine("in.jsonl");
        File.WriteAllLines(input,
        [
            """{"data_source":"anything","solution_str":"it is 72","ground_truth":"72","id":1}""",
            """{"data_source":"other","solution_str":"boom","ground_truth":"72"}""",
            """{"data_source":"other","solution_str":"it is 7","ground_truth":"72"}""",
        ]);

        var (exit, stdout, stderr) = await CliHarness.RunAsync("score", "--input", input, "--reward-path", reward, "--reward-name", "judge", "--reward-kwargs", """{"scale": 2}""");

        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal([2.0, 0.0, 0.0], lines.Select(l => l["score"]!.GetValue<double>()));
        Assert.True(lines[0]["acc"]!.GetValue<bool>());
        Assert.Equal("anything", lines[0]["source"]!.GetValue<string>());
        Assert.Equal(1, lines[0]["id"]!.GetValue<int>());
        Assert.False(lines[2]["acc"]!.GetValue<bool>());
        Assert.StartsWith("custom reward raised RuntimeError: no answer in boom", lines[1]["reward_error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(lines[0]["reward_error"]);
        Assert.Contains("the custom reward failed on 1 response(s)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Score_refuses_routes_beside_a_reward_file_and_reports_a_file_that_does_not_load()
    {
        var input = _dir.Combine("in.jsonl");
        File.WriteAllLines(input, ["""{"data_source":"openai/gsm8k","solution_str":"#### 72","ground_truth":"72"}"""]);
        var broken = _dir.Combine("broken.py");
        File.WriteAllText(broken, "def compute_score(:\n");

        var routed = await CliHarness.RunAsync("score", "--input", input, "--reward-path", Gsm8kRewardFile, "--route", "a=gsm8k");
        var unloadable = await CliHarness.RunAsync("score", "--input", input, "--reward-path", broken);
        var nameOnly = await CliHarness.RunAsync("score", "--input", input, "--reward-name", "f");

        Assert.Equal(2, routed.ExitCode);
        Assert.Contains("--route has no effect with --reward-path", routed.Error, StringComparison.Ordinal);
        Assert.Equal(1, unloadable.ExitCode);
        Assert.Contains($"{broken}: cannot load reward function 'compute_score': SyntaxError", unloadable.Error, StringComparison.Ordinal);
        Assert.Equal(2, nameOnly.ExitCode);
        Assert.Contains("--reward-name and --reward-kwargs need --reward-path", nameOnly.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_with_verls_gsm8k_as_a_reward_file_scores_as_the_built_in_gsm8k_and_records_the_file()
    {
        string[] common = ["eval", "--model", TinyChatModel.Folder, "--data", VerlData.Gsm8k, "--max-samples", "3", "--max-response-length", "8", "--seed", "3"];

        var native = await CliHarness.RunAsync([.. common, "--out", _dir.Combine("native")]);
        var custom = await CliHarness.RunAsync([.. common, "--out", _dir.Combine("custom"), "--reward-path", Gsm8kRewardFile, "--reward-workers", "1"]);

        Assert.True(native.ExitCode == 0, native.Error);
        Assert.True(custom.ExitCode == 0, custom.Error);
        var nativeResults = (await ResultsReader.ReadJsonlAsync(_dir.Combine("native", ResultsFolder.ResultsJsonlFile))).OrderBy(r => r.Position).ToList();
        var customResults = (await ResultsReader.ReadJsonlAsync(_dir.Combine("custom", ResultsFolder.ResultsJsonlFile))).OrderBy(r => r.Position).ToList();
        Assert.Equal(nativeResults.Select(r => (r.ResponseText, r.Score)), customResults.Select(r => (r.ResponseText, r.Score)));
        Assert.All(customResults, r => Assert.Null(r.RewardError));
        Assert.Equal(
            MetricsJson.Read(_dir.Combine("native", ResultsFolder.MetricsFile)),
            MetricsJson.Read(_dir.Combine("custom", ResultsFolder.MetricsFile)));
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(_dir.Combine("custom", ResultsFolder.ManifestFile)))!;
        Assert.Equal(Gsm8kRewardFile, manifest["reward"]!["custom"]!["path"]!.GetValue<string>());
        Assert.Equal("compute_score", manifest["reward"]!["custom"]!["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(new[] { "--reward-name", "f" }, "--reward-name and --reward-kwargs need --reward-path")]
    [InlineData(new[] { "--reward-path", "/x/r.py", "--reward-name", "not-python" }, "--reward-name 'not-python' is not a Python function name")]
    [InlineData(new[] { "--reward-path", "/x/r.py", "--reward-kwargs", "[1]" }, "--reward-kwargs must be a JSON object")]
    [InlineData(new[] { "--reward-path", "/x/r.py", "--route", "a=gsm8k" }, "--route has no effect with --reward-path")]
    public async Task Submit_checks_the_reward_options_before_connecting(string[] options, string message)
    {
        var nowhere = $"127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}";

        var (exit, output, error) = await CliHarness.RunAsync(["submit", "--checkpoint", TinyChatModel.Folder, "--data", VerlData.Gsm8k, .. options, "--cluster", nowhere]);

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }
}
