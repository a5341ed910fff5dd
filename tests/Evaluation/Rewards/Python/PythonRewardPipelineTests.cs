using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Runs;
using VerlOrleans.Inference.Sampling;
using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Inference.Text.Tokenization;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Rewards.Python;

/// <summary>
/// A whole evaluation scored by a custom Python reward file: the run completes with correct scores and verl's
/// metrics for the samples that scored, score 0 and a clear reward_error for those whose reward raised, hung or
/// killed its worker, and the failed ones count as wrong in every metric variable.
/// </summary>
public sealed partial class PythonRewardPipelineTests
{
    private static readonly HfTokenizer Tokenizer = HfTokenizer.FromDirectory(TinyChatModel.Folder);
    private static readonly ChatTemplate Template = ChatTemplate.FromDirectory(TinyChatModel.Folder);

    // Row k (ground truth "k") gets these two responses.
    private static readonly string[][] Script =
    [
        ["#### 0", "#### 5"],
        ["RAISE", "#### 1"],
        ["HANG", "#### 2"],
        ["EXIT", "#### 3"],
        ["SEGV", "#### 4"],
        ["#### 5", "#### 5"],
    ];

    [Fact]
    public async Task The_run_completes_with_per_sample_errors_and_verl_metrics_that_count_failures_as_wrong()
    {
        using var temp = new TempDirectory("python-reward-run");
        var spec = Spec(WriteRows(temp.Combine("rows.jsonl")), temp.Combine("out"));

        var outcome = await Pipeline().RunAsync(spec);

        var results = (await ResultsReader.ReadJsonlAsync(temp.Combine("out", ResultsFolder.ResultsJsonlFile))).OrderBy(r => r.Position).ThenBy(r => r.SampleIndex).ToList();
        Assert.Equal(12, results.Count);
        var errors = results.Where(r => r.RewardError is not null).ToDictionary(r => r.ResponseText, r => r.RewardError!);
        Assert.Equal(["EXIT", "HANG", "RAISE", "SEGV"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("custom reward raised ValueError: cannot read 'RAISE'", errors["RAISE"], StringComparison.Ordinal);
        Assert.StartsWith("custom reward timed out after 2 s", errors["HANG"], StringComparison.Ordinal);
        Assert.StartsWith("the reward worker process died (exit code 3)", errors["EXIT"], StringComparison.Ordinal);
        Assert.StartsWith("the reward worker process died (killed by SIGSEGV)", errors["SEGV"], StringComparison.Ordinal);
        foreach (var result in results)
        {
            if (result.RewardError is not null)
            {
                Assert.Equal(0.0, result.Score);
                Assert.Empty(result.RewardExtras);
                continue;
            }

            var right = result.ResponseText == $"#### {result.Position}";
            Assert.Equal(right ? 1.0 : -1.0, result.Score);
            Assert.Equal(["score", "acc", "pred", "turns"], result.RewardExtras.Select(e => e.Key));
            Assert.Equal(ScalarValue.FromBoolean(right), result.RewardExtras[1].Value);
            Assert.Equal(ScalarValue.Null, result.RewardExtras[3].Value);          // num_turns: None under the legacy manager
        }

        // acc per prompt: 1/2 for rows 0-4 (one right, one wrong or failed), 1 for row 5; failed samples count as acc False.
        var metrics = outcome.Metrics.ToDictionary(m => m.Key, m => m.Value);
        Assert.Equal(3.5 / 6, metrics["val-core/my_source/acc/mean@2"], 12);
        Assert.Equal(3.0 / 6, metrics["val-aux/my_source/reward/mean@2"], 12);
        Assert.Equal(metrics.Keys, ResultsReader.ComputeMetrics(await ResultsReader.ReadAsync(temp.Combine("out", ResultsFolder.ResultsParquetFile))).Select(m => m.Key));

        var manifest = ManifestJson.Read(temp.Combine("out", ResultsFolder.ManifestFile));
        Assert.Equal(spec.CustomReward!.Path, manifest.Reward.Custom!.Path);
        Assert.Equal("compute_score", manifest.Reward.Custom.Name);
        Assert.Equal(spec.CustomReward.ContentSha256(), manifest.Reward.Custom.Sha256);
    }

    [Fact]
    public async Task A_finished_run_resumes_as_a_no_op_and_another_reward_file_is_refused()
    {
        using var temp = new TempDirectory("python-reward-resume");
        var rows = WriteRows(temp.Combine("rows.jsonl"), rowCount: 2);
        var spec = Spec(rows, temp.Combine("out"));
        await Pipeline().RunAsync(spec);

        var again = await Pipeline().RunAsync(spec);
        var copy = temp.Combine("reward.py");
        File.WriteAllText(copy, File.ReadAllText(RewardFiles.PathOf("scripted_reward.py")) + "\n# changed\n");
        File.Copy(RewardFiles.PathOf("answer_helpers.py"), temp.Combine("answer_helpers.py"));
        var changed = await Assert.ThrowsAsync<ResultsFormatException>(() =>
            Pipeline().RunAsync(spec with { CustomReward = spec.CustomReward! with { Path = copy } }));

        Assert.Equal(0, again.SamplesGenerated);
        Assert.Equal(4, again.SamplesResumed);
        Assert.Contains("$.reward.custom.sha256", changed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reward_file_that_does_not_load_stops_the_run_before_the_folder_is_touched()
    {
        using var temp = new TempDirectory("python-reward-broken");
        var spec = Spec(WriteRows(temp.Combine("rows.jsonl"), rowCount: 1), temp.Combine("out")) with { CustomReward = RewardFiles.Function("broken_reward.py") };

        var error = await Assert.ThrowsAsync<RewardConfigurationException>(() => Pipeline().RunAsync(spec));

        Assert.Contains("SyntaxError", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.Combine("out", ResultsFolder.ManifestFile)));
    }

    [Fact]
    public async Task Routes_beside_a_custom_reward_are_refused()
    {
        using var temp = new TempDirectory("python-reward-routes");
        var spec = Spec(WriteRows(temp.Combine("rows.jsonl"), rowCount: 1), temp.Combine("out")) with
        {
            RewardRoutes = RewardRoutingOptions.Parse(["my_source=gsm8k"]),
        };

        var error = await Assert.ThrowsAsync<RewardConfigurationException>(() => Pipeline().RunAsync(spec));

        Assert.Contains("reward routes have no effect", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_built_in_reward_that_needs_verls_python_where_the_interpreter_lacks_verl_fails_those_samples_only()
    {
        using var temp = new TempDirectory("prime-math-run");
        var spec = Spec(WriteRows(temp.Combine("rows.jsonl"), dataSource: "numina_olympiads", truthPrefix: "#### "), temp.Combine("out")) with { CustomReward = null };

        await Pipeline().RunAsync(spec);

        // "#### k" for row k is right by the string stages alone; every other answer needs sympy, which needs verl here.
        var results = await ResultsReader.ReadJsonlAsync(temp.Combine("out", ResultsFolder.ResultsJsonlFile));
        Assert.Equal(12, results.Count);
        foreach (var result in results)
        {
            if (result.ResponseText == $"#### {result.Position}")
            {
                Assert.Equal((1.0, null), (result.Score, result.RewardError));
                continue;
            }

            Assert.Equal(0.0, result.Score);
            Assert.StartsWith("reward 'prime_math' (Python): ModuleNotFoundError: this response needs verl's verl.utils.reward_score.prime_math", result.RewardError, StringComparison.Ordinal);
        }
    }

    private static EvaluationPipeline Pipeline() =>
        new(Tokenizer, Template, new ScriptedGenerator(), pythonRewards: RewardFiles.Options(timeoutSeconds: 2));

    private static EvaluationSpec Spec(string rows, string folder) => new()
    {
        DataFiles = [rows],
        OutputFolder = folder,
        Sampling = new SamplingParams { N = 2, Temperature = 1.0, Seed = 0, MaxTokens = 16 },
        MaxInFlight = 3,
        CustomReward = RewardFiles.Function("scripted_reward.py"),
    };

    private static string WriteRows(string path, int rowCount = 6, string dataSource = "my_source", string truthPrefix = "")
    {
        File.WriteAllLines(path, Enumerable.Range(0, rowCount).Select(k => new JsonObject
        {
            ["data_source"] = dataSource,
            ["prompt"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"ITEM-{k}: what is {k}?" }),
            ["reward_model"] = new JsonObject { ["style"] = "rule", ["ground_truth"] = $"{truthPrefix}{k}" },
            ["extra_info"] = new JsonObject { ["index"] = k },
        }.ToJsonString()));
        return path;
    }

    /// <summary>Answers row k's prompt with <see cref="Script"/>[k] (the row is read back from the prompt's text).</summary>
    private sealed class ScriptedGenerator : IResponseGenerator
    {
        public Task<IReadOnlyList<GeneratedResponse>> GenerateAsync(IReadOnlyList<int> promptTokenIds, SamplingParams sampling, CancellationToken cancellationToken)
        {
            var row = int.Parse(ItemMarker().Match(Tokenizer.Decode(promptTokenIds)).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var first = (int)(sampling.Seed!.Value - (row * 2));
            IReadOnlyList<GeneratedResponse> responses = [.. Enumerable.Range(0, sampling.N).Select(i =>
            {
                var text = Script[row][first + i];
                return new GeneratedResponse(i, Tokenizer.Encode(text), text, "stop");
            })];
            return Task.FromResult(responses);
        }
    }

    [GeneratedRegex(@"ITEM-(\d+):")]
    private static partial Regex ItemMarker();
}
