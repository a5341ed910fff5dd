using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Prompts;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Runs;
using VerlOrleans.Inference.Sampling;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Runs;

/// <summary>
/// The evaluation pipeline with the real inference engine on the tiny chat model: a greedy run matches PyTorch, a
/// second run is a no-op, an interrupted (cancelled or crashed) run resumed equals an uninterrupted one sample for
/// sample, results round-trip to the same metrics, and bad input stops the run before any generation.
/// </summary>
public sealed class EvaluationPipelineTests(TinyChatEngine engine) : IClassFixture<TinyChatEngine>
{
    private static readonly SamplingParams Greedy = new() { Temperature = 0, MaxTokens = TinyChatModel.Reference.MaxNewTokens };

    private static readonly SamplingParams Sampled = new() { N = 3, Temperature = 1.0, TopP = 0.9, Seed = 123, MaxTokens = 10 };

    [Fact]
    public async Task A_greedy_run_answers_like_pytorch_and_its_results_round_trip_to_its_metrics()
    {
        using var temp = new TempDirectory("eval");
        var data = EvalRows.Write(temp.Combine("rows.jsonl"), 5);
        var reports = new List<EvaluationProgress>();

        var outcome = await Pipeline(engine.Generator).RunAsync(Spec(data, temp.Combine("out"), Greedy), new Recorder(reports.Add));

        var results = await ResultsReader.ReadAsync(temp.Combine("out", ResultsFolder.ResultsJsonlFile));
        var reference = TinyChatModel.Reference.Case("gsm8k-row-0");
        var first = results.Single(r => r.Position == 0);
        Assert.Equal(reference.ResponseText, first.ResponseText);
        Assert.Equal(reference.GreedyIds.Count, first.ResponseTokens);
        Assert.Equal(reference.FinishReason, first.FinishReason);
        Assert.Equal(reference.PromptText, first.PromptText);
        Assert.Equal(reference.PromptIds.Count, first.PromptTokens);
        Assert.Equal(5, results.Count);
        Assert.All(results, r => Assert.Equal(new Gsm8kReward().Score(new RewardRequest("openai/gsm8k", r.ResponseText, r.GroundTruth)).Score, r.Score));

        var metrics = MetricsJson.Read(temp.Combine("out", ResultsFolder.MetricsFile));
        Assert.Equal(outcome.Metrics, metrics);
        Assert.Equal(metrics, ResultsReader.ComputeMetrics(await ResultsReader.ReadAsync(temp.Combine("out", ResultsFolder.ResultsParquetFile))));
        Assert.Equal(results.Average(r => r.Score), metrics.Single(m => m.Key == "val-core/openai/gsm8k/reward/mean@1").Value, 12);

        Assert.Equal(EvaluationPhase.Planning, reports[0].Phase);
        Assert.Equal(5, reports[0].SamplesTotal);
        Assert.Equal(EvaluationPhase.Completed, reports[^1].Phase);
        Assert.Equal(5, reports[^1].SamplesDone);
        Assert.Equal(results.Sum(r => (long)r.ResponseTokens!), reports[^1].GeneratedTokens);
        Assert.Equal(results.Average(r => r.Score), reports[^1].MeanScores["openai/gsm8k"], 12);
        Assert.Equal(Enumerable.Range(1, 5), reports.Where(r => r.Phase == EvaluationPhase.Generating).Select(r => (int)r.SamplesDone));
    }

    [Fact]
    public async Task A_second_run_in_the_same_folder_generates_nothing_and_changes_nothing()
    {
        using var temp = new TempDirectory("eval");
        var data = EvalRows.Write(temp.Combine("rows.jsonl"), 3);
        var spec = Spec(data, temp.Combine("out"), Sampled);
        await Pipeline(engine.Generator).RunAsync(spec);
        var journal = await File.ReadAllBytesAsync(temp.Combine("out", ResultsFolder.ResultsJsonlFile));
        var metrics = await File.ReadAllTextAsync(temp.Combine("out", ResultsFolder.MetricsFile));
        var recording = new RecordingGenerator(engine.Generator);

        var again = await Pipeline(recording).RunAsync(spec with { Sampling = Sampled with { Seed = null } });

        Assert.Equal(0, recording.Calls);
        Assert.Equal(0, again.SamplesGenerated);
        Assert.Equal(9, again.SamplesResumed);
        Assert.Equal(journal, await File.ReadAllBytesAsync(temp.Combine("out", ResultsFolder.ResultsJsonlFile)));
        Assert.Equal(metrics, await File.ReadAllTextAsync(temp.Combine("out", ResultsFolder.MetricsFile)));
    }

    [Fact]
    public async Task A_cancelled_run_resumed_equals_an_uninterrupted_run_sample_for_sample()
    {
        using var temp = new TempDirectory("eval");
        var data = EvalRows.Write(temp.Combine("rows.jsonl"), 6);
        await Pipeline(engine.Generator).RunAsync(Spec(data, temp.Combine("whole"), Sampled));

        using var cancel = new CancellationTokenSource();
        var spec = Spec(data, temp.Combine("resumed"), Sampled) with { MaxInFlight = 2 };
        var stopAfter = new Recorder(p =>
        {
            if (p.SamplesDone >= 6)
            {
                cancel.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Pipeline(engine.Generator).RunAsync(spec, stopAfter, cancel.Token));
        var interrupted = await ResultsReader.ReadJsonlAsync(temp.Combine("resumed", ResultsFolder.ResultsJsonlFile));
        var resumed = await Pipeline(engine.Generator).RunAsync(spec);

        Assert.InRange(interrupted.Count, 6, 17);
        Assert.Equal(0, interrupted.Count % 3);                              // a call's samples are written together
        Assert.Equal(18 - interrupted.Count, resumed.SamplesGenerated);
        await AssertSameResultsAsync(temp.Combine("whole"), temp.Combine("resumed"));
    }

    [Fact]
    public async Task A_crash_that_tore_the_last_line_regenerates_that_sample_alone_with_its_own_seed()
    {
        using var temp = new TempDirectory("eval");
        var data = EvalRows.Write(temp.Combine("rows.jsonl"), 3);
        var spec = Spec(data, temp.Combine("whole"), Sampled);
        await Pipeline(engine.Generator).RunAsync(spec);
        var crashed = temp.Combine("crashed");
        Directory.CreateDirectory(crashed);
        File.Copy(temp.Combine("whole", ResultsFolder.ManifestFile), Path.Combine(crashed, ResultsFolder.ManifestFile));
        var journal = await File.ReadAllBytesAsync(temp.Combine("whole", ResultsFolder.ResultsJsonlFile));
        var lastLineStart = Array.LastIndexOf(journal, (byte)'\n', journal.Length - 2) + 1;
        await File.WriteAllBytesAsync(Path.Combine(crashed, ResultsFolder.ResultsJsonlFile), journal[..(lastLineStart + 40)]);
        var lost = SampleResultJson.FromLine(System.Text.Encoding.UTF8.GetString(journal[lastLineStart..^1]), "lost line");
        var recording = new RecordingGenerator(engine.Generator);

        var resumed = await Pipeline(recording).RunAsync(spec with { OutputFolder = crashed });

        Assert.Equal(1, resumed.SamplesGenerated);
        var request = Assert.Single(recording.Requests);
        Assert.Equal(1, request.N);
        Assert.Equal(123 + (lost.Position * 3) + lost.SampleIndex, request.Seed);
        await AssertSameResultsAsync(temp.Combine("whole"), crashed);
    }

    [Fact]
    public async Task Filtered_and_truncated_rows_are_counted_and_listed_never_silently_dropped()
    {
        using var temp = new TempDirectory("eval");
        var data = EvalRows.Write(temp.Combine("rows.jsonl"), 4, i => i == 2 ? string.Concat(Enumerable.Repeat("Count the apples again and again. ", 30)) : EvalRows.Question(i));
        var prompt = new PromptOptions { MaxPromptLength = 180 };

        var filtered = await Pipeline(engine.Generator).RunAsync(Spec(data, temp.Combine("filtered"), Greedy with { MaxTokens = 4 }) with { Prompt = prompt });
        var truncated = await Pipeline(engine.Generator).RunAsync(
            Spec(data, temp.Combine("truncated"), Greedy with { MaxTokens = 4 }) with { Prompt = prompt with { FilterOverlongPrompts = false, Truncation = TruncationMode.Middle } });

        Assert.Equal(new PromptCounts(4, 1, 0), filtered.Prompts);
        Assert.Equal(3, filtered.SamplesTotal);
        var report = JsonNode.Parse(await File.ReadAllTextAsync(temp.Combine("filtered", ResultsFolder.PromptReportFile)))!;
        var entry = Assert.Single(report["rows"]!.AsArray())!;
        Assert.Equal("filtered", entry["disposition"]!.GetValue<string>());
        Assert.Equal(2, entry["row_in_file"]!.GetValue<long>());
        Assert.True(entry["templated_tokens"]!.GetValue<int>() > 180);
        Assert.DoesNotContain(await ResultsReader.ReadJsonlAsync(temp.Combine("filtered", ResultsFolder.ResultsJsonlFile)), r => r.Position == 2);

        Assert.Equal(new PromptCounts(4, 0, 1), truncated.Prompts);
        var cut = (await ResultsReader.ReadJsonlAsync(temp.Combine("truncated", ResultsFolder.ResultsJsonlFile))).Single(r => r.Position == 2);
        Assert.Equal(180, cut.PromptTokens);
        Assert.Equal("truncated", JsonNode.Parse(await File.ReadAllTextAsync(temp.Combine("truncated", ResultsFolder.PromptReportFile)))!["rows"]![0]!["disposition"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_overlong_prompt_with_error_truncation_or_an_unrouted_source_fails_before_any_generation()
    {
        using var temp = new TempDirectory("eval");
        var data = EvalRows.Write(temp.Combine("rows.jsonl"), 3);
        var unrouted = EvalRows.Write(temp.Combine("custom.jsonl"), 2, dataSource: "my/source");
        var recording = new RecordingGenerator(engine.Generator);

        var overlong = await Assert.ThrowsAsync<PromptBuildException>(() => Pipeline(recording).RunAsync(
            Spec(data, temp.Combine("a"), Greedy) with { Prompt = new PromptOptions { MaxPromptLength = 60, FilterOverlongPrompts = false } }));
        var unknown = await Assert.ThrowsAsync<RewardConfigurationException>(() => Pipeline(recording).RunAsync(Spec(unrouted, temp.Combine("b"), Greedy)));
        var routed = await Pipeline(recording).RunAsync(Spec(unrouted, temp.Combine("c"), Greedy with { MaxTokens = 2 }) with
        {
            RewardRoutes = RewardRoutingOptions.Parse(["my/*=gsm8k"]),
        });

        var corrected = await Pipeline(recording).RunAsync(Spec(data, temp.Combine("a"), Greedy with { MaxTokens = 2 }));

        Assert.StartsWith(data + ": row 0: prompt length 170 is longer than max_prompt_length 60", overlong.Message, StringComparison.Ordinal);
        Assert.Equal(3, corrected.SamplesGenerated);                           // the refused run left nothing in the folder
        Assert.Contains("row 0: no reward for data_source 'my/source'", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(5, recording.Calls);                                      // only the routed and the corrected runs generated
        Assert.Equal(2, routed.SamplesGenerated);
    }

    [Fact]
    public async Task A_failing_generator_stops_the_run_naming_the_row_and_keeps_what_was_written()
    {
        using var temp = new TempDirectory("eval");
        var data = EvalRows.Write(temp.Combine("rows.jsonl"), 4);
        var spec = Spec(data, temp.Combine("out"), Greedy with { MaxTokens = 3 }) with { MaxInFlight = 1 };

        var error = await Assert.ThrowsAsync<EvaluationException>(() => Pipeline(new RecordingGenerator(engine.Generator, failOnCall: 3)).RunAsync(spec));
        var written = await ResultsReader.ReadJsonlAsync(temp.Combine("out", ResultsFolder.ResultsJsonlFile));
        var resumed = await Pipeline(engine.Generator).RunAsync(spec);

        Assert.Equal($"{data}: row 2: generation failed: the model server went away", error.Message);
        Assert.Equal([0L, 1L], written.Select(r => r.Position).Order());
        Assert.Equal(2, resumed.SamplesGenerated);
    }

    [Fact]
    public async Task Resuming_with_other_settings_is_refused_naming_the_setting()
    {
        using var temp = new TempDirectory("eval");
        var data = EvalRows.Write(temp.Combine("rows.jsonl"), 2);
        await Pipeline(engine.Generator).RunAsync(Spec(data, temp.Combine("out"), Greedy with { MaxTokens = 2 }));

        var error = await Assert.ThrowsAsync<ResultsFormatException>(() =>
            Pipeline(engine.Generator).RunAsync(Spec(data, temp.Combine("out"), Greedy with { MaxTokens = 3 })));

        Assert.Contains("$.sampling.max_response_length: 2 in the folder, 3 now", error.Message, StringComparison.Ordinal);
    }

    private EvaluationPipeline Pipeline(IResponseGenerator generator) => new(engine.Tokenizer, engine.Template, generator);

    private static EvaluationSpec Spec(string data, string folder, SamplingParams sampling) => new()
    {
        DataFiles = [data],
        OutputFolder = folder,
        Sampling = sampling,
        MaxInFlight = 4,
    };

    private static async Task AssertSameResultsAsync(string expectedFolder, string actualFolder)
    {
        var expected = (await ResultsReader.ReadJsonlAsync(Path.Combine(expectedFolder, ResultsFolder.ResultsJsonlFile))).OrderBy(r => r.Position).ThenBy(r => r.SampleIndex).ToList();
        var actual = (await ResultsReader.ReadJsonlAsync(Path.Combine(actualFolder, ResultsFolder.ResultsJsonlFile))).OrderBy(r => r.Position).ThenBy(r => r.SampleIndex).ToList();
        Assert.Equal(expected.Select(r => (r.Uid, r.SampleIndex)), actual.Select(r => (r.Uid, r.SampleIndex)));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].ResponseText, actual[i].ResponseText);
            Assert.Equal(expected[i].ResponseTokens, actual[i].ResponseTokens);
            Assert.Equal(expected[i].FinishReason, actual[i].FinishReason);
            Assert.Equal(expected[i].Score, actual[i].Score);
        }

        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(expectedFolder, ResultsFolder.MetricsFile)), await File.ReadAllTextAsync(Path.Combine(actualFolder, ResultsFolder.MetricsFile)));
    }

    /// <summary>Receives reports synchronously, on the reporting thread (Progress&lt;T&gt; would post them later).</summary>
    private sealed class Recorder(Action<EvaluationProgress> onReport) : IProgress<EvaluationProgress>
    {
        private readonly Lock _lock = new();

        public void Report(EvaluationProgress value)
        {
            lock (_lock)
            {
                onReport(value);
            }
        }
    }
}
