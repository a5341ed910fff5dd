using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Parquet.Serialization;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Results;

/// <summary>
/// Samples whose (custom) reward failed: the error travels in both result formats, results written before the
/// column existed still read, and metrics count a failed sample as 0 in every variable its data source carries.
/// </summary>
public sealed class RewardErrorResultsTests : IDisposable
{
    private readonly TempDirectory _dir = new("reward-errors");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_error_round_trips_through_jsonl_and_parquet_and_is_absent_from_scored_lines()
    {
        var failed = Sample("u0", 0, 0.0) with { RewardError = "custom reward raised ValueError: no\n  File \"r.py\", line 3" };
        var scored = Sample("u0", 1, 1.0, ("acc", ScalarValue.FromBoolean(true)));
        var path = _dir.Combine("results.parquet");

        await SampleResultParquet.WriteAsync(path, [failed, scored]);
        var back = await SampleResultParquet.ReadAsync(path);

        Assert.Equal(failed.RewardError, SampleResultJson.FromLine(SampleResultJson.ToLine(failed), "line 1").RewardError);
        Assert.False(SampleResultJson.ToJson(scored).ContainsKey("reward_error"));
        Assert.Equal([failed.RewardError, null], back.Select(r => r.RewardError));
    }

    [Fact]
    public async Task A_parquet_file_written_before_the_reward_error_column_still_reads()
    {
        var path = _dir.Combine("old.parquet");
        await using (var stream = File.Create(path))
        {
            await ParquetSerializer.SerializeAsync(new[]
            {
                new OldRow { Uid = "u0", SampleIndex = 0, Position = 0, DataSource = "openai/gsm8k", Response = "#### 72", Score = 1.0, RewardExtras = "{}" },
            }, stream);
        }

        var results = await ResultsReader.ReadAsync(path);

        Assert.Equal("u0", results.Single().Uid);
        Assert.Null(results.Single().RewardError);
    }

    [Fact]
    public void A_failed_sample_counts_as_zero_in_every_variable_of_its_source()
    {
        var results = new List<SampleResult>
        {
            Sample("u0", 0, 1.0, ("score", ScalarValue.FromNumber(1)), ("acc", ScalarValue.FromBoolean(true)), ("pred", ScalarValue.FromText("7"))),
            Sample("u0", 1, 0.0) with { RewardError = "custom reward timed out" },
            Sample("u1", 0, 0.0) with { RewardError = "the reward worker process died" },
            Sample("u1", 1, -1.0, ("score", ScalarValue.FromNumber(-1)), ("acc", ScalarValue.FromBoolean(false)), ("pred", ScalarValue.FromText("8"))),
        };

        var metrics = ResultsReader.ComputeMetrics(results).ToDictionary(m => m.Key, m => m.Value);

        Assert.Equal(0.25, metrics["val-core/my_source/acc/mean@2"]);                // (1 + 0) / 2 and (0 + 0) / 2
        Assert.Equal(0.0, metrics["val-aux/my_source/reward/mean@2"]);               // (1 + 0) / 2 and (0 - 1) / 2
        Assert.Equal(0.0, metrics["val-aux/my_source/score/mean@2"]);
    }

    private static SampleResult Sample(string uid, int index, double score, params (string Key, ScalarValue Value)[] extras) => new()
    {
        Uid = uid,
        SampleIndex = index,
        Position = uid == "u0" ? 0 : 1,
        DataSource = "my_source",
        ResponseText = "r",
        GroundTruth = JsonValue.Create("7"),
        Score = score,
        RewardExtras = [.. extras.Select(e => KeyValuePair.Create(e.Key, e.Value))],
    };

    /// <summary>The results parquet row as it was before <c>reward_error</c> (a subset of the columns is enough).</summary>
    private sealed class OldRow
    {
        [JsonPropertyName("uid")] public string? Uid { get; set; }
        [JsonPropertyName("sample_index")] public int? SampleIndex { get; set; }
        [JsonPropertyName("position")] public long? Position { get; set; }
        [JsonPropertyName("data_source")] public string? DataSource { get; set; }
        [JsonPropertyName("response")] public string? Response { get; set; }
        [JsonPropertyName("score")] public double? Score { get; set; }
        [JsonPropertyName("reward_extras")] public string? RewardExtras { get; set; }
    }
}
