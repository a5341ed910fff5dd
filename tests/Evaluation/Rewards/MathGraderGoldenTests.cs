using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Rewards.Python;
using VerlOrleans.Evaluation.Tests.Golden;
using Xunit.Abstractions;

namespace VerlOrleans.Evaluation.Tests.Rewards;

/// <summary>
/// Golden/geo3k.jsonl and Golden/prime_math.jsonl (generate_math_graders.py, from verl's geo3k and prime_math and
/// mathruler's grader): every response the native ports decide must score exactly as verl scored it, and with verl's
/// own Python code at hand every response, native or not, must.
/// </summary>
public sealed class MathGraderGoldenTests(ITestOutputHelper output)
{
    private static readonly RewardRegistry Registry = RewardRegistry.CreateDefault();

    [Theory]
    [InlineData("geo3k.jsonl", "geo3k", 1000, 400)]
    [InlineData("prime_math.jsonl", "prime_math", 1000, 100)]
    public void Every_response_the_native_port_decides_scores_exactly_as_verl_scored_it(string file, string reward, int minCases, int minNative)
    {
        var mismatches = new List<string>();
        var (count, native) = (0, 0);
        foreach (var (line, request, expected) in Cases(file))
        {
            count++;
            var scorer = (IPythonFallbackReward)Registry.Resolve(request.DataSource);
            Assert.Equal(reward, scorer.Name);
            if (scorer.TryScoreNatively(request) is not { } result)
            {
                continue;
            }

            native++;
            if (result.Score != expected)
            {
                mismatches.Add($"line {line} {JsonValue.Create(request.SolutionStr).ToJsonString()} vs {request.GroundTruth?.ToJsonString()}: verl {expected}, C# {result.Score}");
            }
        }

        output.WriteLine($"{file}: {native} of {count} scored natively");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {native} natively scored cases differ from verl:\n" + string.Join("\n", mismatches.Take(25)));
        Assert.True(count >= minCases, $"{file}: {count} cases");
        Assert.True(native >= minNative, $"{file}: only {native} of {count} cases were scored natively");
    }

    [VerlPythonFact]
    public Task With_mathrulers_own_python_every_geo3k_golden_response_scores_exactly_as_verl_scored_it() =>
        AllThroughPythonAsync("geo3k.jsonl");

    [VerlPythonFact]
    public Task With_verls_own_python_every_prime_math_golden_response_scores_exactly_as_verl_scored_it() =>
        AllThroughPythonAsync("prime_math.jsonl");

    private async Task AllThroughPythonAsync(string file)
    {
        var options = new PythonRewardOptions { PythonPath = VerlPythonFactAttribute.Folders, Workers = 2, Timeout = TimeSpan.FromSeconds(120) };
        await using var scorers = new VerlPythonScorers(options);
        var cases = Cases(file).ToList();
        var outcomes = await Task.WhenAll(cases.Select(c => scorers.ScoreAsync((IPythonFallbackReward)Registry.Resolve(c.Request.DataSource), c.Request)));
        var mismatches = cases.Zip(outcomes)
            .Where(p => p.Second.Result?.Score != p.First.Score)
            .Select(p => $"line {p.First.Line} {JsonValue.Create(p.First.Request.SolutionStr).ToJsonString()}: verl {p.First.Score}, here {p.Second.Result?.Score.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? p.Second.Error}")
            .ToList();
        output.WriteLine($"{file}: {cases.Count} cases through the hybrid scorer, {mismatches.Count} differ");
        Assert.True(mismatches.Count == 0, $"{file}: {mismatches.Count} of {cases.Count} differ:\n" + string.Join("\n", mismatches.Take(25)));
        Assert.True(scorers.Started);
    }

    private static IEnumerable<(int Line, RewardRequest Request, double Score)> Cases(string file) =>
        GoldenFiles.ReadJsonLines(file).Select(c => (c.Line,
            new RewardRequest(c.Record["data_source"]!.GetValue<string>(), c.Record["solution_str"]!.GetValue<string>(), c.Record["ground_truth"]?.DeepClone()),
            c.Record["score"]!.GetValue<double>()));
}
