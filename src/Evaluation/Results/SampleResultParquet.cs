using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Parquet;
using Parquet.Serialization;
using VerlOrleans.Evaluation.Datasets;

namespace VerlOrleans.Evaluation.Results;

/// <summary>
/// The Parquet form of results: one flat row per <see cref="SampleResult"/> with the same column names as the JSON
/// Lines form; nested parts (ground truth, reward extras, extra info, extra columns) are JSON text columns.
/// Row groups are appended as results arrive.
/// </summary>
public static class SampleResultParquet
{
    /// <summary>Appends <paramref name="results"/> as one new row group (creating the file when absent).</summary>
    public static async Task AppendAsync(string path, IReadOnlyCollection<SampleResult> results, CancellationToken cancellationToken = default)
    {
        if (results.Count == 0)
        {
            return;
        }

        var append = File.Exists(path) && new FileInfo(path).Length > 0;
        await using var stream = new FileStream(path, append ? FileMode.Open : FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
        await ParquetSerializer.SerializeAsync(results.Select(ToRow), stream, new ParquetOptions { Append = append }, cancellationToken: cancellationToken);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Writes a complete file in one go, through a temporary file renamed into place.</summary>
    public static async Task WriteAsync(string path, IEnumerable<SampleResult> results, CancellationToken cancellationToken = default)
    {
        var temporary = path + ".tmp";
        await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None))
        {
            await ParquetSerializer.SerializeAsync(results.Select(ToRow), stream, new ParquetOptions { RowGroupSize = 4096 }, cancellationToken: cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    public static async Task<List<SampleResult>> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        IList<Row> rows;
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (ParquetFooterCheck.ProblemWithFile(stream) is { } problem)
            {
                throw new ResultsFormatException($"{path}: {problem}");
            }

            rows = (await ParquetSerializer.DeserializeAsync<Row>(stream, cancellationToken: cancellationToken)).Data;
        }
        catch (ResultsFormatException)
        {
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ResultsFormatException($"{path}: not a readable results parquet file: {e.Message}", e);
        }

        return rows.Select((row, i) => FromRow(row, $"{path}: row {i}")).ToList();
    }

    private static Row ToRow(SampleResult r)
    {
        var json = SampleResultJson.ToJson(r);
        return new Row
        {
            Uid = r.Uid,
            SampleIndex = r.SampleIndex,
            Position = r.Position,
            DatasetIndex = r.DatasetIndex,
            SourceFile = r.SourceFile,
            RowInFile = r.RowInFile,
            DataSource = r.DataSource,
            Ability = r.Ability,
            Prompt = r.PromptText,
            Response = r.ResponseText,
            PromptTokens = r.PromptTokens,
            ResponseTokens = r.ResponseTokens,
            FinishReason = r.FinishReason,
            GroundTruth = json["ground_truth"]?.ToJsonString(),
            Score = r.Score,
            RewardExtras = json["reward_extras"]!.ToJsonString(),
            RewardError = r.RewardError,
            ExtraInfo = json["extra_info"]?.ToJsonString(),
            ExtraColumns = json["extra_columns"]?.ToJsonString(),
            StartedAt = r.StartedAt?.ToString("O", CultureInfo.InvariantCulture),
            GenerationSeconds = r.GenerationSeconds,
            ScoringSeconds = r.ScoringSeconds,
        };
    }

    private static SampleResult FromRow(Row row, string where)
    {
        var o = new JsonObject
        {
            ["uid"] = row.Uid,
            ["sample_index"] = row.SampleIndex,
            ["position"] = row.Position,
            ["dataset_index"] = row.DatasetIndex,
            ["source_file"] = row.SourceFile,
            ["row_in_file"] = row.RowInFile,
            ["data_source"] = row.DataSource,
            ["ability"] = row.Ability,
            ["prompt"] = row.Prompt,
            ["response"] = row.Response,
            ["prompt_tokens"] = row.PromptTokens,
            ["response_tokens"] = row.ResponseTokens,
            ["finish_reason"] = row.FinishReason,
            ["ground_truth"] = ParseJson(row.GroundTruth, "ground_truth", where),
            ["score"] = row.Score,
            ["reward_extras"] = ParseJson(row.RewardExtras, "reward_extras", where),
            ["reward_error"] = row.RewardError,
            ["extra_info"] = ParseJson(row.ExtraInfo, "extra_info", where),
            ["extra_columns"] = ParseJson(row.ExtraColumns, "extra_columns", where),
            ["started_at"] = row.StartedAt,
            ["generation_seconds"] = row.GenerationSeconds,
            ["scoring_seconds"] = row.ScoringSeconds,
        };
        return SampleResultJson.FromJson(o, where);
    }

    private static JsonNode? ParseJson(string? text, string column, string where)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new ResultsFormatException($"{where}: column '{column}' is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The Parquet row layout (nullable value types: every column is optional, as other writers expect).</summary>
    internal sealed class Row
    {
        [JsonPropertyName("uid")] public string? Uid { get; set; }
        [JsonPropertyName("sample_index")] public int? SampleIndex { get; set; }
        [JsonPropertyName("position")] public long? Position { get; set; }
        [JsonPropertyName("dataset_index")] public long? DatasetIndex { get; set; }
        [JsonPropertyName("source_file")] public string? SourceFile { get; set; }
        [JsonPropertyName("row_in_file")] public long? RowInFile { get; set; }
        [JsonPropertyName("data_source")] public string? DataSource { get; set; }
        [JsonPropertyName("ability")] public string? Ability { get; set; }
        [JsonPropertyName("prompt")] public string? Prompt { get; set; }
        [JsonPropertyName("response")] public string? Response { get; set; }
        [JsonPropertyName("prompt_tokens")] public int? PromptTokens { get; set; }
        [JsonPropertyName("response_tokens")] public int? ResponseTokens { get; set; }
        [JsonPropertyName("finish_reason")] public string? FinishReason { get; set; }
        [JsonPropertyName("ground_truth")] public string? GroundTruth { get; set; }
        [JsonPropertyName("score")] public double? Score { get; set; }
        [JsonPropertyName("reward_extras")] public string? RewardExtras { get; set; }
        [JsonPropertyName("reward_error")] public string? RewardError { get; set; }
        [JsonPropertyName("extra_info")] public string? ExtraInfo { get; set; }
        [JsonPropertyName("extra_columns")] public string? ExtraColumns { get; set; }
        [JsonPropertyName("started_at")] public string? StartedAt { get; set; }
        [JsonPropertyName("generation_seconds")] public double? GenerationSeconds { get; set; }
        [JsonPropertyName("scoring_seconds")] public double? ScoringSeconds { get; set; }
    }
}
