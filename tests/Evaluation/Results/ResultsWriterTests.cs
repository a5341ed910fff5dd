using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Evaluation.Tests.Metrics;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Results;

/// <summary>Result files (JSON Lines + Parquet), the manifest, metrics.json, and resuming an interrupted run.</summary>
public sealed class ResultsWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new("results");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Results_round_trip_through_jsonl_and_parquet_and_reproduce_verls_metrics()
    {
        var results = GoldenResults("math_dapo_n4", out var expected);
        var folder = _dir.Combine("run");

        await using (var writer = await ResultsWriter.OpenAsync(folder, Manifest(), new ResultsWriterOptions { ParquetRowGroupSize = 7 }))
        {
            foreach (var result in Shuffled(results, seed: 3))
            {
                await writer.AppendAsync(result);
            }

            var written = await writer.CompleteAsync();
            AssertMetricsEqual(expected, written);
        }

        var fromJsonl = await ResultsReader.ReadAsync(Path.Combine(folder, ResultsFolder.ResultsJsonlFile));
        var fromParquet = await ResultsReader.ReadAsync(Path.Combine(folder, ResultsFolder.ResultsParquetFile));
        var metricsFile = MetricsJson.Read(Path.Combine(folder, ResultsFolder.MetricsFile));

        Assert.Equal(results.Count, fromJsonl.Count);
        Assert.Equal(fromJsonl.Select(SampleResultJson.ToLine), fromParquet.Select(SampleResultJson.ToLine));
        Assert.Equal(Shuffled(results, seed: 3).Select(SampleResultJson.ToLine), fromJsonl.Select(SampleResultJson.ToLine));
        AssertMetricsEqual(expected, metricsFile);
        AssertMetricsEqual(expected, ResultsReader.ComputeMetrics(fromParquet));
    }

    [Fact]
    public async Task Every_field_survives_both_formats()
    {
        var result = new SampleResult
        {
            Uid = "u-ü😀",
            SampleIndex = 3,
            Position = 12,
            DatasetIndex = 40,
            SourceFile = "/data/test.parquet",
            RowInFile = 40,
            DataSource = "math_dapo",
            Ability = "math",
            PromptText = "<|im_start|>user\nWhat is 1+1? ✓<|im_end|>\n",
            ResponseText = "Answer: 2\n\"quoted\" \\boxed{2}",
            PromptTokens = 17,
            ResponseTokens = 9,
            FinishReason = "stop",
            GroundTruth = new JsonArray(1, "two"),
            Score = -1.0,
            RewardExtras = [new("score", ScalarValue.FromNumber(-1)), new("acc", ScalarValue.FromBoolean(false)), new("pred", ScalarValue.FromText("2")), new("none", ScalarValue.Null)],
            ExtraInfo = new JsonObject { ["index"] = 40, ["split"] = "test" },
            ExtraColumns = new JsonObject { ["level"] = "Level 2" },
            StartedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero),
            GenerationSeconds = 1.25,
            ScoringSeconds = 0.0005,
        };
        var folder = _dir.Combine("fields");
        await using (var writer = await ResultsWriter.OpenAsync(folder, Manifest()))
        {
            await writer.AppendAsync(result);
            await writer.AppendAsync(result with { SampleIndex = 4, GroundTruth = null, ExtraInfo = null, PromptTokens = null, StartedAt = null, RewardExtras = [] });
        }

        var jsonl = await ResultsReader.ReadAsync(Path.Combine(folder, ResultsFolder.ResultsJsonlFile));
        var parquet = await ResultsReader.ReadAsync(Path.Combine(folder, ResultsFolder.ResultsParquetFile));

        Assert.Equal(SampleResultJson.ToLine(result), SampleResultJson.ToLine(jsonl[0]));
        Assert.Equal(jsonl.Select(SampleResultJson.ToLine), parquet.Select(SampleResultJson.ToLine));
        Assert.Null(parquet[1].PromptTokens);
        Assert.Null(parquet[1].GroundTruth);
    }

    [Fact]
    public async Task An_appended_result_is_on_disk_before_append_returns()
    {
        var folder = _dir.Combine("flush");
        await using var writer = await ResultsWriter.OpenAsync(folder, Manifest());
        await writer.AppendAsync(Result("a", 0, 1.0));

        // Read through a separate handle while the writer is still open (as after a crash of the writing process).
        using var stream = new FileStream(Path.Combine(folder, ResultsFolder.ResultsJsonlFile), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var text = await new StreamReader(stream).ReadToEndAsync();
        Assert.Equal("a", SampleResultJson.FromLine(text.TrimEnd('\n'), "test").Uid);
    }

    [Fact]
    public async Task A_crashed_run_resumes_skipping_completed_samples_and_ends_with_the_same_metrics()
    {
        var results = GoldenResults("aime_n16", out var expected);
        var folder = _dir.Combine("resume");
        var half = results.Count / 2;
        await using (var writer = await ResultsWriter.OpenAsync(folder, Manifest(), new ResultsWriterOptions { ParquetRowGroupSize = 10 }))
        {
            foreach (var result in results.Take(half))
            {
                await writer.AppendAsync(result);
            }
        }

        // The crash: a line torn mid-write and a Parquet file cut short.
        var journal = Path.Combine(folder, ResultsFolder.ResultsJsonlFile);
        var parquet = Path.Combine(folder, ResultsFolder.ResultsParquetFile);
        await File.AppendAllTextAsync(journal, SampleResultJson.ToLine(results[half])[..40]);
        await using (var stream = new FileStream(parquet, FileMode.Open))
        {
            stream.SetLength(stream.Length / 2);
        }

        await using (var resumed = await ResultsWriter.OpenAsync(folder, Manifest(), new ResultsWriterOptions { Resume = true }))
        {
            Assert.Equal(half, resumed.Count);
            Assert.All(results.Take(half), r => Assert.True(resumed.IsCompleted(r.Uid, r.SampleIndex)));
            Assert.All(results.Skip(half), r => Assert.False(resumed.IsCompleted(r.Uid, r.SampleIndex)));
            foreach (var result in results.Where(r => !resumed.IsCompleted(r.Uid, r.SampleIndex)))
            {
                await resumed.AppendAsync(result);
            }

            AssertMetricsEqual(expected, await resumed.CompleteAsync());
        }

        Assert.Equal(results.Count, (await ResultsReader.ReadAsync(journal)).Count);
        Assert.Equal(results.Count, (await ResultsReader.ReadAsync(parquet)).Count);
    }

    [Fact]
    public async Task A_folder_with_a_run_is_refused_without_resume_and_with_other_settings()
    {
        var folder = _dir.Combine("refuse");
        await using (var writer = await ResultsWriter.OpenAsync(folder, Manifest()))
        {
            await writer.AppendAsync(Result("a", 0, 1.0));
        }

        var notResumed = await Assert.ThrowsAsync<ResultsFormatException>(() => ResultsWriter.OpenAsync(folder, Manifest()));
        var otherSettings = await Assert.ThrowsAsync<ResultsFormatException>(() => ResultsWriter.OpenAsync(folder,
            Manifest() with { Sampling = new SamplingSettings(4, 0.6, 1.0, -1, 512, 7) }, new ResultsWriterOptions { Resume = true }));

        Assert.Contains("already holds a run", notResumed.Message, StringComparison.Ordinal);
        Assert.Contains("$.sampling.n: 1 in the folder, 4 now", otherSettings.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writing_the_same_sample_twice_is_an_error()
    {
        await using var writer = await ResultsWriter.OpenAsync(_dir.Combine("twice"), Manifest());
        await writer.AppendAsync(Result("a", 0, 1.0));

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.AppendAsync(Result("a", 0, 0.0)));
    }

    [Theory]
    [InlineData("{\"uid\":\"a\"}", "line 2: 'sample_index' is missing")]
    [InlineData("{\"uid\":\"a\",\"sample_index\":\"0\",\"position\":0,\"data_source\":\"x\",\"response\":\"r\",\"score\":1}", "line 2: 'sample_index' must be an integer, got \"0\"")]
    [InlineData("not json", "line 2: not valid JSON")]
    [InlineData("{\"uid\":\"a\",\"sample_index\":0,\"position\":0,\"data_source\":\"x\",\"response\":\"r\",\"score\":1,\"reward_extras\":{\"l\":[1]}}", "line 2: reward_extras.l must be")]
    public async Task Malformed_results_lines_fail_naming_file_line_and_field(string line, string expected)
    {
        var path = _dir.Combine("bad.jsonl");
        await File.WriteAllTextAsync(path, SampleResultJson.ToLine(Result("ok", 0, 1)) + "\n" + line + "\n");

        var error = await Assert.ThrowsAsync<ResultsFormatException>(() => ResultsReader.ReadAsync(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_manifest_records_inputs_with_hashes_and_round_trips()
    {
        var data = _dir.Combine("d.jsonl");
        await File.WriteAllTextAsync(data, "{\"prompt\":[{\"role\":\"user\",\"content\":\"hi\"}],\"data_source\":\"openai/gsm8k\"}\n");
        var options = new DatasetOptions { MaxSamples = 1 };
        var dataset = await VerlDataset.OpenAsync([data], options);
        var manifest = RunManifest.For(dataset, options, new RewardSettings("naive")) with
        {
            Model = new ModelIdentity("/models/qwen", "abc123", "float32", "cpu"),
            Sampling = new SamplingSettings(1, 0, 1, -1, 512, 42),
            Prompt = new PromptSettings(512, "error", false, new JsonObject { ["enable_thinking"] = false }),
            Tool = new Dictionary<string, string> { ["verlorleans"] = "0.1.0" },
        };
        var folder = _dir.Combine("manifest");
        await using (await ResultsWriter.OpenAsync(folder, manifest))
        {
        }

        var path = Path.Combine(folder, ResultsFolder.ManifestFile);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        var read = ManifestJson.Read(path);

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(data))), json["inputs"]![0]!["sha256"]!.GetValue<string>());
        Assert.Equal("json", json["inputs"]![0]!["format"]!.GetValue<string>());
        Assert.Equal(512, json["prompt"]!["max_prompt_length"]!.GetValue<int>());
        Assert.Null(ManifestJson.FirstDifference(manifest, read));
    }

    [Fact]
    public async Task Dataset_rows_scored_and_written_give_the_metrics_of_their_scores()
    {
        // The pieces an evaluation loop chains: dataset row → response → reward → result file → metrics.
        var data = _dir.Combine("d.jsonl");
        await File.WriteAllLinesAsync(data,
        [
            """{"data_source":"openai/gsm8k","prompt":[{"role":"user","content":"1+1?"}],"reward_model":{"style":"rule","ground_truth":"2"},"extra_info":{"index":0},"level":"easy"}""",
            """{"data_source":"math_dapo","prompt":[{"role":"user","content":"2+2?"}],"reward_model":{"style":"rule","ground_truth":"4"},"extra_info":{"index":1}}""",
        ]);
        var options = new DatasetOptions();
        var dataset = await VerlDataset.OpenAsync([data], options);
        var scorer = new VerlOrleans.Evaluation.Rewards.SampleScorer(VerlOrleans.Evaluation.Rewards.RewardRegistry.CreateDefault());
        var folder = _dir.Combine("loop");
        var responses = new[] { new[] { "#### 2", "#### 3" }, new[] { "Answer: 4", "Answer: 5" } };
        IReadOnlyList<KeyValuePair<string, double>> metrics;
        await using (var writer = await ResultsWriter.OpenAsync(folder, RunManifest.For(dataset, options, new RewardSettings("naive"))))
        {
            await foreach (var row in dataset.ReadAsync())
            {
                for (var sample = 0; sample < 2; sample++)
                {
                    var response = responses[row.Position][sample];
                    var scored = scorer.Score(row.MetricsDataSource, response, row.GroundTruth, row.ExtraInfo);
                    await writer.AppendAsync(SampleResult.For(row, sample, "prompt text", response, scored));
                }
            }

            metrics = await writer.CompleteAsync();
        }

        var byName = metrics.ToDictionary();
        Assert.Equal(0.5, byName["val-core/openai/gsm8k/reward/mean@2"]);
        Assert.Equal(0.5, byName["val-core/math_dapo/acc/mean@2"]);
        Assert.Equal(0.0, byName["val-aux/math_dapo/reward/mean@2"]);
        var written = await ResultsReader.ReadAsync(Path.Combine(folder, ResultsFolder.ResultsParquetFile));
        Assert.Equal("easy", written[0].ExtraColumns!["level"]!.GetValue<string>());
        Assert.Equal("4", written[2].RewardExtras.Single(e => e.Key == "pred").Value.Text);
    }

    [Fact]
    public async Task A_resumed_run_is_left_with_exactly_the_samples_it_lacks()
    {
        var data = _dir.Combine("p.jsonl");
        await File.WriteAllLinesAsync(data, Enumerable.Range(0, 4).Select(i => $$$"""{"data_source":"openai/gsm8k","prompt":[{"role":"user","content":"q{{{i}}}"}],"reward_model":{"ground_truth":"1"}}"""));
        var options = new DatasetOptions();
        var dataset = await VerlDataset.OpenAsync([data], options);
        var manifest = RunManifest.For(dataset, options, new RewardSettings("naive"));
        var folder = _dir.Combine("pending");
        await using (var writer = await ResultsWriter.OpenAsync(folder, manifest))
        {
            await foreach (var row in dataset.ReadAsync())
            {
                // The first run got through prompt 0 entirely and sample 1 of prompt 2 before it stopped.
                foreach (var sample in row.Position == 0 ? [0, 1, 2] : row.Position == 2 ? new[] { 1 } : [])
                {
                    await writer.AppendAsync(Result(row.Uid, sample, 1.0, position: row.Position));
                }
            }
        }

        await using var resumed = await ResultsWriter.OpenAsync(folder, manifest, new ResultsWriterOptions { Resume = true });
        var pending = new List<(long Position, int[] Samples)>();
        await foreach (var (row, samples) in PendingSamples.ReadAsync(dataset, 3, resumed))
        {
            pending.Add((row.Position, samples.ToArray()));
        }

        Assert.Equal([1L, 2, 3], pending.Select(p => p.Position));
        Assert.Equal([0, 1, 2], pending[0].Samples);
        Assert.Equal([0, 2], pending[1].Samples);
    }

    internal static RunManifest Manifest() => new()
    {
        Inputs = [new DatasetFile("/data/test.parquet", DatasetFileFormat.Parquet, 100, new string('a', 64), 10)],
        Dataset = new DatasetSelection("prompt", "data_source", "reward_model", -1, false, null, 10, 10),
        Sampling = new SamplingSettings(1, 0, 1, -1, 512, 42),
        Reward = new RewardSettings("naive"),
    };

    internal static SampleResult Result(string uid, int sample, double score, string source = "openai/gsm8k", long position = 0) => new()
    {
        Uid = uid,
        SampleIndex = sample,
        Position = position,
        DataSource = source,
        ResponseText = $"response {uid}/{sample}",
        Score = score,
    };

    /// <summary>A golden metrics case as sample results (score = reward; score/acc/pred as reward extras).</summary>
    internal static List<SampleResult> GoldenResults(string name, out IReadOnlyList<KeyValuePair<string, double>> expected)
    {
        var golden = MetricsGoldenTests.FindCase(name);
        var positions = new Dictionary<string, long>();
        var counts = new Dictionary<string, int>();
        var results = new List<SampleResult>();
        foreach (var sample in MetricsGoldenTests.ToSamples(golden["samples"]!.AsArray()))
        {
            var position = positions.TryGetValue(sample.Uid, out var p) ? p : positions[sample.Uid] = positions.Count;
            var index = counts.GetValueOrDefault(sample.Uid);
            counts[sample.Uid] = index + 1;
            results.Add(new SampleResult
            {
                Uid = sample.Uid,
                SampleIndex = index,
                Position = position,
                DataSource = sample.DataSource,
                ResponseText = $"Answer: {sample.Variables.FirstOrDefault(v => v.Key == "pred").Value}",
                Score = sample.Variables.Single(v => v.Key == "reward").Value.Number,
                RewardExtras = sample.Variables.Where(v => v.Key != "reward").ToList(),
            });
        }

        expected = golden["expected"]!.AsObject().Select(p => new KeyValuePair<string, double>(p.Key, p.Value!.GetValue<double>())).ToList();
        return results;
    }

    private static List<SampleResult> Shuffled(List<SampleResult> results, int seed)
    {
        var copy = results.ToList();
        new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(copy));
        return copy;
    }

    private static void AssertMetricsEqual(IReadOnlyList<KeyValuePair<string, double>> expected, IReadOnlyList<KeyValuePair<string, double>> actual)
    {
        var verlOnly = actual.Where(m => !m.Key.Contains("/pass@", StringComparison.Ordinal)).ToList();
        Assert.Equal(expected.Select(m => m.Key), verlOnly.Select(m => m.Key));
        Assert.Equal(expected.Select(m => m.Value), verlOnly.Select(m => m.Value));
    }
}
