using System.Text.RegularExpressions;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Runs;
using VerlOrleans.Evaluation.Tests.Fixtures;
using VerlOrleans.Inference.Sampling;
using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Inference.Text.Tokenization;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Rewards.Code;

/// <summary>
/// verl's code data sources route to prime_code by default, and an evaluation over a parquet of code problems scores
/// through the sandbox on the ordinary run path, beside a gsm8k row scored natively.
/// </summary>
[Collection(CodeSandboxCollection.Name)]
public sealed partial class PrimeCodePipelineTests
{
    private static readonly HfTokenizer Tokenizer = HfTokenizer.FromDirectory(TinyChatModel.Folder);
    private static readonly ChatTemplate Template = ChatTemplate.FromDirectory(TinyChatModel.Folder);
    private const string AddTests = """{"inputs": ["1 2\n", "3 4\n", "10 -3\n", "0 0\n"], "outputs": ["3\n", "7\n", "7\n", "0\n"]}""";
    private const string CallTests = """{"fn_name": "double", "inputs": [[1], [2], [3]], "outputs": [2, 4, 6]}""";

    // Per row: data source, ground truth, then the two responses and the scores verl gives them.
    private static readonly (string Source, string Truth, string[] Responses, double[] Scores)[] Rows =
    [
        ("codecontests", AddTests, [Code("a, b = map(int, input().split())\nprint(a + b)"), Code("a, b = map(int, input().split())\nprint(a + b + (a > 5))")], [1.0, 0.75]),
        ("apps", CallTests, [Code("def double(x):\n    return 2 * x"), Code("def double(x):\n    return x * x")], [1.0, 1.0 / 3]),
        ("taco", AddTests, ["I would add them.", Code("import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=2)")], [0.0, 0.0]),
        ("codeforces", AddTests, [Code("print(sum(map(int, input().split())))"), Code("a, b = map(int, input().split())\nprint(a - b)")], [1.0, 0.25]),
        ("openai/gsm8k", "72", ["#### 72", "#### 7"], [1.0, 0.0]),
    ];

    [Theory]
    [InlineData("codecontests")]
    [InlineData("apps")]
    [InlineData("codeforces")]
    [InlineData("taco")]
    public void Verl_code_sources_route_to_prime_code(string dataSource) =>
        Assert.Equal("prime_code", RewardRegistry.CreateDefault().Resolve(dataSource).Name);

    [Fact]
    public async Task A_run_over_code_problems_scores_each_sample_in_the_sandbox()
    {
        using var temp = new TempDirectory("prime-code-run");
        var parquet = temp.Combine("code.parquet");
        await VerlParquetWriter.WriteAsync(parquet, Rows.Select((r, k) => VerlParquetWriter.Row(k, r.Source, $"ITEM-{k}: solve it", r.Truth)).ToList());
        var spec = new EvaluationSpec
        {
            DataFiles = [parquet],
            OutputFolder = temp.Combine("out"),
            Sampling = new SamplingParams { N = 2, Temperature = 1.0, Seed = 0, MaxTokens = 16 },
            MaxInFlight = 5,
        };

        await new EvaluationPipeline(Tokenizer, Template, new ScriptedGenerator()).RunAsync(spec);

        var results = (await ResultsReader.ReadJsonlAsync(temp.Combine("out", ResultsFolder.ResultsJsonlFile))).OrderBy(r => r.Position).ThenBy(r => r.SampleIndex).ToList();
        Assert.Equal(10, results.Count);
        foreach (var result in results)
        {
            var row = Rows[result.Position];
            Assert.Equal(row.Source, result.DataSource);
            Assert.Null(result.RewardError);
            Assert.Equal(row.Scores[result.SampleIndex], result.Score, 12);
        }
    }

    private static string Code(string code) => $"Here you go:\n```python\n{code}\n```";

    /// <summary>Answers row k's prompt with <see cref="Rows"/>[k]'s responses (the row is read back from the prompt's text).</summary>
    private sealed class ScriptedGenerator : IResponseGenerator
    {
        public Task<IReadOnlyList<GeneratedResponse>> GenerateAsync(IReadOnlyList<int> promptTokenIds, SamplingParams sampling, CancellationToken cancellationToken)
        {
            var row = int.Parse(ItemMarker().Match(Tokenizer.Decode(promptTokenIds)).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var first = (int)(sampling.Seed!.Value - (row * 2));
            IReadOnlyList<GeneratedResponse> responses = [.. Enumerable.Range(0, sampling.N).Select(i =>
            {
                var text = Rows[row].Responses[first + i];
                return new GeneratedResponse(i, Tokenizer.Encode(text), text, "stop");
            })];
            return Task.FromResult(responses);
        }
    }

    [GeneratedRegex(@"ITEM-(\d+):")]
    private static partial Regex ItemMarker();
}
