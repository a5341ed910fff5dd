using System.Text.Json.Nodes;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests;

/// <summary><c>score</c> on verl's code data sources: routed to prime_code, run in the sandbox, with the reason of each score.</summary>
public sealed class CodeRewardScoreCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("cli-code-reward");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Score_runs_code_samples_in_the_sandbox_and_says_why_each_scored_as_it_did()
    {
        var tests = JsonValue.Create("""{"inputs": ["1 2\n", "5 5\n"], "outputs": ["3\n", "10\n"]}""").ToJsonString();
        var input = _dir.Combine("in.jsonl");
        File.WriteAllLines(input,
        [
            $$"""{"data_source":"apps","solution_str":"```python\na, b = map(int, input().split())\nprint(a + b)\n```","ground_truth":{{tests}}}""",
            $$"""{"data_source":"taco","solution_str":"```python\na, b = map(int, input().split())\nprint(a + b if a == 1 else 0)\n```","ground_truth":{{tests}}}""",
            """{"data_source":"openai/gsm8k","solution_str":"#### 72","ground_truth":"72"}""",
        ]);

        var (exit, stdout, stderr) = await CliHarness.RunAsync("score", "--input", input);

        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal([1.0, 0.5, 1.0], lines.Select(l => l["score"]!.GetValue<double>()));
        Assert.Equal("passed all 2 tests at once", lines[0]["reward_detail"]!.GetValue<string>());
        Assert.StartsWith("passed 1 of 2 tests run one by one; test 1: wrong answer", lines[1]["reward_detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(lines[2]["reward_detail"]);
    }
}
