using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests;

/// <summary>
/// <c>verlorleans eval</c> end to end on the committed tiny chat model and a slice of verl's real gsm8k test parquet:
/// the files of issue 6, PyTorch's answer for row 0, a resumable rerun, the verl actor folder merged on the fly, and
/// usage errors.
/// </summary>
public sealed class EvalCommandTests
{
    private static string Gsm8k => VerlData.Gsm8k;

    [Fact]
    public async Task Eval_on_real_gsm8k_rows_writes_results_metrics_and_manifest_and_answers_like_pytorch()
    {
        using var temp = new TempDirectory("eval-cli");
        var output = temp.Combine("run");
        string[] args = ["eval", "--model", TinyChatModel.Folder, "--data", Gsm8k, "--out", output, "--max-samples", "4",
            "--max-response-length", $"{TinyChatModel.Reference.MaxNewTokens}", "--seed", "7"];

        var (exit, stdout, stderr) = await CliHarness.RunAsync(args);

        Assert.True(exit == 0, stderr);
        Assert.Contains("val-core/openai/gsm8k/reward/mean@1", stdout, StringComparison.Ordinal);
        Assert.Contains("completed 4/4 samples", stderr, StringComparison.Ordinal);
        Assert.Contains("mean score 0.000", stderr, StringComparison.Ordinal);
        Assert.Contains("prompts: 4 selected, 0 filtered, 0 truncated", stderr, StringComparison.Ordinal);
        foreach (var file in new[] { ResultsFolder.ManifestFile, ResultsFolder.ResultsJsonlFile, ResultsFolder.ResultsParquetFile, ResultsFolder.MetricsFile, ResultsFolder.PromptReportFile })
        {
            Assert.True(File.Exists(Path.Combine(output, file)), $"{file} is missing");
        }

        var results = await ResultsReader.ReadAsync(Path.Combine(output, ResultsFolder.ResultsParquetFile));
        Assert.Equal(4, results.Count);
        var reference = TinyChatModel.Reference.Case("gsm8k-row-0");
        var row0 = results.Single(r => r.Position == 0);
        Assert.Equal(reference.PromptText, row0.PromptText);
        Assert.Equal(reference.ResponseText, row0.ResponseText);
        Assert.Equal("18", row0.GroundTruth!.GetValue<string>());
        var metrics = MetricsJson.Read(Path.Combine(output, ResultsFolder.MetricsFile));
        Assert.Equal(metrics, ResultsReader.ComputeMetrics(results));

        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(output, ResultsFolder.ManifestFile)))!;
        Assert.Equal(Path.GetFullPath(Gsm8k), manifest["inputs"]![0]!["path"]!.GetValue<string>());
        Assert.Equal(64, manifest["model"]!["content_hash"]!.GetValue<string>().Length);
        Assert.Equal(7UL, manifest["seed"]!.GetValue<ulong>());
        Assert.Equal(TinyChatModel.Reference.EosTokenIds, manifest["sampling"]!["stop_token_ids"]!.AsArray().Select(id => id!.GetValue<int>()));

        var again = await CliHarness.RunAsync(args);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("samples: 4 (0 generated now, 4 already in the folder)", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_verl_actor_folder_is_merged_on_the_fly_and_answers_as_the_hugging_face_folder_does()
    {
        using var temp = new TempDirectory("eval-cli");
        string[] common = ["--data", Gsm8k, "--max-samples", "2", "--max-response-length", "6", "--merge-cache", temp.Combine("cache")];

        var fromFolder = await CliHarness.RunAsync(["eval", "--model", TinyChatModel.Folder, "--out", temp.Combine("hf"), .. common]);
        var fromActor = await CliHarness.RunAsync(["eval", "--model", Path.Combine(RepositoryPaths.Root, "tests", "Fixtures", "tiny-chat-actor"), "--out", temp.Combine("actor"), .. common]);

        Assert.True(fromActor.ExitCode == 0, fromActor.Error);
        Assert.Contains("merged 26 tensors into", fromActor.Error, StringComparison.Ordinal);
        var hf = await ResultsReader.ReadJsonlAsync(temp.Combine("hf", ResultsFolder.ResultsJsonlFile));
        var actor = await ResultsReader.ReadJsonlAsync(temp.Combine("actor", ResultsFolder.ResultsJsonlFile));
        Assert.Equal(hf.OrderBy(r => r.Position).Select(r => r.ResponseText), actor.OrderBy(r => r.Position).Select(r => r.ResponseText));
        var hash = JsonNode.Parse(await File.ReadAllTextAsync(temp.Combine("hf", ResultsFolder.ManifestFile)))!["model"]!["content_hash"]!.GetValue<string>();
        Assert.True(Directory.Exists(temp.Combine("cache", hash)), "the merged folder is named by the weights' content hash, which equals the Hugging Face folder's");
    }

    [Theory]
    [InlineData("--truncation", "both", "truncation 'both' is not one of error, left, right, middle")]
    [InlineData("--reward-mode", "strict", "--reward-mode 'strict' is not naive or reward-loop")]
    [InlineData("--apply-chat-template-kwargs", "[1]", "--apply-chat-template-kwargs must be a JSON object")]
    [InlineData("--max-prompt-length", "0", "max_prompt_length = 0 must be at least 1")]
    public async Task Bad_options_exit_with_2_and_say_why(string option, string value, string message)
    {
        using var temp = new TempDirectory("eval-cli");
        var data = temp.Combine("rows.jsonl");
        File.WriteAllText(data, "");

        var (exit, _, stderr) = await CliHarness.RunAsync("eval", "--model", TinyChatModel.Folder, "--data", data, "--out", temp.Combine("out"), option, value);

        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreadable_data_an_overlong_prompt_or_another_runs_folder_exit_with_2_naming_the_problem()
    {
        using var temp = new TempDirectory("eval-cli");
        var broken = temp.Combine("broken.parquet");
        File.WriteAllText(broken, "not parquet");
        string[] model = ["--model", TinyChatModel.Folder, "--max-response-length", "2"];

        var unreadable = await CliHarness.RunAsync(["eval", .. model, "--data", broken, "--out", temp.Combine("a")]);
        var overlong = await CliHarness.RunAsync(["eval", .. model, "--data", Gsm8k, "--max-samples", "1", "--out", temp.Combine("b"), "--max-prompt-length", "50", "--filter-overlong-prompts", "false"]);
        await CliHarness.RunAsync(["eval", .. model, "--data", Gsm8k, "--max-samples", "1", "--out", temp.Combine("c")]);
        var otherRun = await CliHarness.RunAsync(["eval", .. model, "--data", Gsm8k, "--max-samples", "1", "--out", temp.Combine("c"), "--n", "2", "--temperature", "1"]);

        Assert.Equal(2, unreadable.ExitCode);
        Assert.Contains(broken, unreadable.Error, StringComparison.Ordinal);
        Assert.Equal(2, overlong.ExitCode);
        Assert.Contains(": row 0: prompt length 170 is longer than max_prompt_length 50", overlong.Error, StringComparison.Ordinal);
        Assert.Equal(2, otherRun.ExitCode);
        Assert.Contains("the run to resume has different settings", otherRun.Error, StringComparison.Ordinal);
    }
}
