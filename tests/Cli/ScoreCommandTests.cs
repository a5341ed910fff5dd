using System.Text.Json.Nodes;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests;

/// <summary><c>verlorleans score</c>: verl's scores for JSON Lines of responses, and clear failures.</summary>
public sealed class ScoreCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("cli-score");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Scores_the_golden_corpus_exactly_as_verl_did()
    {
        // The reward golden file (written by tests/Evaluation/Golden/generate.py from verl's own code), stripped of the answers.
        var golden = File.ReadLines(Path.Combine(RepositoryPaths.Root, "tests", "Evaluation", "Golden", "rewards.jsonl"))
            .Select(l => JsonNode.Parse(l)!.AsObject())
            .ToList();
        var input = _dir.Combine("in.jsonl");
        await File.WriteAllLinesAsync(input, golden.Select(g =>
        {
            var line = (JsonObject)g.DeepClone();
            line.Remove("score");
            line.Remove("extras");
            return line.ToJsonString();
        }));
        var output = _dir.Combine("out.jsonl");

        var (exit, stdout, stderr) = await CliHarness.RunAsync("score", "--input", input, "--output", output);

        Assert.True(exit == 0, stderr);
        Assert.Contains($"scored {golden.Count} responses", stdout, StringComparison.Ordinal);
        var scored = File.ReadLines(output).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal(golden.Count, scored.Count);
        for (var i = 0; i < golden.Count; i++)
        {
            Assert.Equal(golden[i]["solution_str"]!.GetValue<string>(), scored[i]["solution_str"]!.GetValue<string>());
            Assert.True(golden[i]["score"]!.GetValue<double>() == scored[i]["score"]!.GetValue<double>(), $"line {i + 1}: verl {golden[i]["score"]}, CLI {scored[i]["score"]}");
            if (golden[i]["extras"] is JsonObject extras)
            {
                Assert.True(JsonNode.DeepEquals(extras["acc"], scored[i]["acc"]), $"line {i + 1}: acc");
                Assert.True(JsonNode.DeepEquals(extras["pred"], scored[i]["pred"]), $"line {i + 1}: pred");
            }
        }
    }

    [Fact]
    public async Task Writes_to_standard_output_and_keeps_extra_fields()
    {
        var input = await InputAsync(
            """{"data_source":"openai/gsm8k","solution_str":"so #### 72","ground_truth":"72","id":7}""",
            """{"data_source":"math_dapo","solution_str":"Answer: 1,000","ground_truth":"1000"}""",
            """{"data_source":"openai/gsm8k","solution_str":"it is 72","ground_truth":"72","reward_kwargs":{"method":"flexible"}}""");

        var (exit, stdout, stderr) = await CliHarness.RunAsync("score", "--input", input);

        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal(1.0, lines[0]["score"]!.GetValue<double>());
        Assert.Equal(7, lines[0]["id"]!.GetValue<int>());
        Assert.Equal(1.0, lines[1]["score"]!.GetValue<double>());
        Assert.True(lines[1]["acc"]!.GetValue<bool>());
        Assert.Equal("1000", lines[1]["pred"]!.GetValue<string>());
        Assert.Equal(1.0, lines[2]["score"]!.GetValue<double>());
    }

    [Fact]
    public async Task A_route_sends_a_custom_data_source_to_a_named_reward()
    {
        var input = await InputAsync("""{"data_source":"my/gsm8k-copy","solution_str":"#### 5","ground_truth":"5"}""");

        var unrouted = await CliHarness.RunAsync("score", "--input", input);
        var routed = await CliHarness.RunAsync("score", "--input", input, "--route", "my/*=gsm8k");

        Assert.Equal(1, unrouted.ExitCode);
        Assert.Contains("no reward for data_source 'my/gsm8k-copy'", unrouted.Error, StringComparison.Ordinal);
        Assert.Contains("openai/gsm8k", unrouted.Error, StringComparison.Ordinal);
        Assert.Equal(0, routed.ExitCode);
        Assert.Equal(1.0, JsonNode.Parse(routed.Output)!["score"]!.GetValue<double>());
    }

    [Fact]
    public async Task Prime_math_lines_score_natively_where_exact_and_name_verl_where_its_python_is_missing()
    {
        var input = await InputAsync(
            """{"data_source":"numina_olympiads","solution_str":"The answer is \\boxed{\\frac12}","ground_truth":"\\frac{1}{2}"}""",
            """{"data_source":"numina_olympiads","solution_str":"The answer is 7","ground_truth":"\\frac{14}{2}"}""");

        var (exit, stdout, stderr) = await CliHarness.RunAsync("score", "--input", input);

        Assert.Equal(0, exit);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal([1.0, 0.0], lines.Select(l => l["score"]!.GetValue<double>()));
        Assert.Null(lines[0]["reward_error"]);
        Assert.Contains("verl.utils.reward_score.prime_math", lines[1]["reward_error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("the reward failed on 1 response(s)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Python_path_folders_reach_the_reward_workers_that_judge_what_csharp_leaves_open()
    {
        // A folder on --python-path holding a mathruler package, as a verl user's checkout of it would: its grade_answer
        // records what it was asked and says "equal", so a geo3k answer C# cannot decide scores 0.9 (no <think> format).
        var checkout = Directory.CreateDirectory(_dir.Combine("checkout", "mathruler")).FullName;
        var calls = _dir.Combine("calls.txt");
        await File.WriteAllTextAsync(Path.Combine(checkout, "__init__.py"), "");
        await File.WriteAllTextAsync(Path.Combine(checkout, "grader.py"), $$"""
            def grade_answer(given, truth):
                with open({{JsonValue.Create(calls).ToJsonString()}}, "a") as f:
                    f.write(given + " | " + truth + "\n")
                return True
            """);
        var input = await InputAsync("""{"data_source":"hiyouga/geometry3k","solution_str":"\\boxed{1,2}","ground_truth":"3\\sqrt{3}"}""");

        var (exit, stdout, stderr) = await CliHarness.RunAsync("score", "--input", input, "--python-path", _dir.Combine("checkout"));
        var (missingExit, _, missingStderr) = await CliHarness.RunAsync("score", "--input", input, "--python-path", _dir.Combine("no-such-folder"));

        Assert.True(exit == 0, stderr);
        var line = JsonNode.Parse(stdout.Trim())!;
        Assert.Equal(0.9, line["score"]!.GetValue<double>(), 12);
        Assert.Null(line["reward_error"]);
        Assert.Equal("1,2 | 3\\sqrt{3}", (await File.ReadAllTextAsync(calls)).Trim());
        Assert.Equal(2, missingExit);
        Assert.Contains("no-such-folder' does not exist", missingStderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"data_source":"openai/gsm8k","solution_str":"#### 1","ground_truth":"1","reward_kwargs":{"mode":"x"}}""", 1, "line 2: reward 'gsm8k' has no keyword argument 'mode'")]
    [InlineData("""{"data_source":"openai/gsm8k","ground_truth":"1"}""", 1, "line 2: 'solution_str' must be a string")]
    [InlineData("""{"data_source":"my/unknown","solution_str":"x","ground_truth":"1"}""", 1, "line 2: no reward for data_source 'my/unknown'")]
    [InlineData("""{"data_source": """, 2, "line 2: not valid JSON")]
    public async Task Bad_lines_fail_with_the_line_and_write_no_output_file(string badLine, int expectedExit, string expected)
    {
        var input = await InputAsync("""{"data_source":"openai/gsm8k","solution_str":"#### 1","ground_truth":"1"}""", badLine);
        var output = _dir.Combine("never.jsonl");

        var (exit, _, stderr) = await CliHarness.RunAsync("score", "--input", input, "--output", output);

        Assert.Equal(expectedExit, exit);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Missing_input_is_a_usage_error()
    {
        var noOption = await CliHarness.RunAsync("score");
        var noFile = await CliHarness.RunAsync("score", "--input", _dir.Combine("absent.jsonl"));

        Assert.Equal(2, noOption.ExitCode);
        Assert.Contains("--input is required", noOption.Error, StringComparison.Ordinal);
        Assert.Equal(2, noFile.ExitCode);
        Assert.Contains("absent.jsonl: file not found", noFile.Error, StringComparison.Ordinal);
    }

    private async Task<string> InputAsync(params string[] lines)
    {
        var path = _dir.Combine($"in-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(path, lines);
        return path;
    }
}
