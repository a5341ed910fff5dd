using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Tests.Fixtures;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Datasets;

/// <summary>Concatenation, selection, JSON formats and strict errors, on parquet files the tests write themselves.</summary>
public sealed class VerlDatasetTests : IDisposable
{
    private readonly TempDirectory _dir = new("datasets");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Parquet_jsonl_and_json_array_files_concatenate_in_order()
    {
        var parquet = await ParquetAsync("a.parquet", 25, rowGroupSize: 10);
        var jsonl = _dir.Combine("b.jsonl");
        await File.WriteAllLinesAsync(jsonl, [JsonRow(100).ToJsonString(), "", JsonRow(101).ToJsonString()]);
        var json = _dir.Combine("c.json");
        await File.WriteAllTextAsync(json, new JsonArray(JsonRow(200), JsonRow(201), JsonRow(202)).ToJsonString());

        var dataset = await VerlDataset.OpenAsync([parquet, jsonl, json]);
        var rows = await VerlDataFilesTests.ReadAllAsync(dataset);

        Assert.Equal([25L, 2, 3], dataset.Files.Select(f => f.Rows));
        Assert.Equal(30, rows.Count);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), rows.Select(r => r.DatasetIndex));
        Assert.Equal([.. Enumerable.Range(0, 25), 100, 101, 200, 201, 202], rows.Select(r => (int)r.ExtraInfo["index"]!.GetValue<long>()));
        Assert.Equal([0L, 1], rows.Skip(25).Take(2).Select(r => r.RowInFile));
        Assert.Equal("Level 3", rows[2].ExtraColumns["level"]!.GetValue<string>());
        Assert.Equal(30, rows.Select(r => r.Uid).Distinct().Count());
    }

    [Fact]
    public async Task Max_samples_without_shuffle_takes_the_first_rows_across_files()
    {
        var first = await ParquetAsync("a.parquet", 5);
        var second = await ParquetAsync("b.parquet", 5, offset: 5);

        var rows = await VerlDataFilesTests.ReadAllAsync(await VerlDataset.OpenAsync([first, second], new DatasetOptions { MaxSamples = 7 }));

        Assert.Equal(Enumerable.Range(0, 7).Select(i => (long)i), rows.Select(r => r.ExtraInfo["index"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Row_groups_are_decoded_only_when_rows_from_them_are_needed()
    {
        // Damage every data page of the last row group (the footer stays intact): reading the first rows never
        // touches it, reading everything fails naming that row group.
        var path = await ParquetAsync("groups.parquet", 30, rowGroupSize: 10);
        long start, end;
        await using (var reader = await Parquet.ParquetReader.CreateAsync(path))
        {
            var columns = reader.Metadata!.RowGroups[2].Columns;
            start = columns.Min(c => c.MetaData!.DataPageOffset);
            end = columns.Max(c => c.MetaData!.DataPageOffset + c.MetaData!.TotalCompressedSize);
        }

        var bytes = await File.ReadAllBytesAsync(path);
        for (var i = start; i < end; i++)
        {
            bytes[i] = 0xFF;
        }

        await File.WriteAllBytesAsync(path, bytes);

        var firstRows = await VerlDataFilesTests.ReadAllAsync(await VerlDataset.OpenAsync([path], new DatasetOptions { MaxSamples = 20 }));
        var error = await Assert.ThrowsAsync<DatasetFormatException>(async () => await VerlDataFilesTests.ReadAllAsync(await VerlDataset.OpenAsync([path])));

        Assert.Equal(20, firstRows.Count);
        Assert.Contains("row group 2 (rows 20..29) cannot be read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shuffled_selection_without_a_seed_records_the_seed_it_drew_and_can_be_replayed()
    {
        var path = await ParquetAsync("a.parquet", 50, rowGroupSize: 7);
        var drawn = await VerlDataset.OpenAsync([path], new DatasetOptions { MaxSamples = 10, Shuffle = true });
        var replay = await VerlDataset.OpenAsync([path], new DatasetOptions { MaxSamples = 10, Shuffle = true, Seed = drawn.EffectiveSeed });

        var a = (await VerlDataFilesTests.ReadAllAsync(drawn)).Select(r => r.DatasetIndex).ToList();
        var b = (await VerlDataFilesTests.ReadAllAsync(replay)).Select(r => r.DatasetIndex).ToList();

        Assert.NotNull(drawn.EffectiveSeed);
        Assert.Equal(a, b);
        Assert.Equal(10, a.Distinct().Count());
    }

    [Fact]
    public async Task Uids_are_stable_across_opens_and_distinct_when_the_same_file_is_given_twice()
    {
        var path = await ParquetAsync("a.parquet", 3);

        var once = await VerlDataFilesTests.ReadAllAsync(await VerlDataset.OpenAsync([path]));
        var twice = await VerlDataFilesTests.ReadAllAsync(await VerlDataset.OpenAsync([path, path]));

        Assert.Equal(once.Select(r => r.Uid), twice.Take(3).Select(r => r.Uid));
        Assert.Equal(6, twice.Select(r => r.Uid).Distinct().Count());
    }

    [Fact]
    public async Task A_uid_column_is_used_as_the_uid()
    {
        var path = _dir.Combine("u.jsonl");
        var row = JsonRow(0);
        row["uid"] = "prompt-abc";
        await File.WriteAllTextAsync(path, row.ToJsonString());

        var rows = await VerlDataFilesTests.ReadAllAsync(await VerlDataset.OpenAsync([path]));

        Assert.Equal("prompt-abc", Assert.Single(rows).Uid);
    }

    [Fact]
    public async Task A_configured_prompt_key_and_data_source_key_are_honoured()
    {
        var path = _dir.Combine("k.jsonl");
        var row = new JsonObject { ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }), ["source"] = "openai/gsm8k" };
        await File.WriteAllTextAsync(path, row.ToJsonString());

        var rows = await VerlDataFilesTests.ReadAllAsync(await VerlDataset.OpenAsync([path], new DatasetOptions { PromptKey = "messages", DataSourceKey = "source" }));

        Assert.Equal("openai/gsm8k", Assert.Single(rows).DataSource);
        Assert.Equal("hi", rows[0].Prompt[0]!["content"]!.GetValue<string>());
        Assert.Empty(rows[0].ExtraInfo);
        Assert.Null(rows[0].GroundTruth);
    }

    [Theory]
    [InlineData("{\"data_source\": \"x\"}", "row 1: no 'prompt' column")]
    [InlineData("{\"prompt\": \"just text\"}", "row 1: 'prompt' must be a list of chat messages, got string")]
    [InlineData("{\"prompt\": [{\"content\": \"no role\"}]}", "row 1: 'prompt[0]' must be an object with a string 'role'")]
    [InlineData("{\"prompt\": [], \"extra_info\": [1]}", "row 1: 'extra_info' must be an object, got array")]
    [InlineData("{\"prompt\": [], \"reward_model\": \"72\"}", "row 1: 'reward_model' must be an object")]
    [InlineData("{\"prompt\": [], \"data_source\": 5}", "row 1: 'data_source' must be a string, got number")]
    [InlineData("{\"prompt\": [", "row 1: line 3: not valid JSON")]
    [InlineData("[1, 2]", "row 1: line 3: holds array, not a JSON object")]
    public async Task Malformed_rows_fail_naming_the_file_row_and_field(string badLine, string expected)
    {
        var path = _dir.Combine("bad.jsonl");
        await File.WriteAllLinesAsync(path, [JsonRow(0).ToJsonString(), "", badLine]);

        var error = await Assert.ThrowsAsync<DatasetFormatException>(async () => await VerlDataFilesTests.ReadAllAsync(await VerlDataset.OpenAsync([path])));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsupported_missing_and_non_parquet_files_fail_with_the_path()
    {
        var csv = _dir.Combine("data.csv");
        await File.WriteAllTextAsync(csv, "a,b");
        var fake = _dir.Combine("fake.parquet");
        await File.WriteAllTextAsync(fake, "this is not parquet at all");

        var unsupported = await Assert.ThrowsAsync<DatasetFormatException>(() => VerlDataset.OpenAsync([csv]));
        var missing = await Assert.ThrowsAsync<DatasetFormatException>(() => VerlDataset.OpenAsync([_dir.Combine("none.parquet")]));
        var notParquet = await Assert.ThrowsAsync<DatasetFormatException>(() => VerlDataset.OpenAsync([fake]));

        Assert.Contains("unsupported dataset format", unsupported.Message, StringComparison.Ordinal);
        Assert.Contains("file not found", missing.Message, StringComparison.Ordinal);
        Assert.Contains("fake.parquet: not a parquet file", notParquet.Message, StringComparison.Ordinal);
    }

    private async Task<string> ParquetAsync(string name, int rows, int rowGroupSize = 1000, int offset = 0)
    {
        var path = _dir.Combine(name);
        await VerlParquetWriter.WriteAsync(path, Enumerable.Range(offset, rows).Select(i => VerlParquetWriter.Row(i)).ToList(), rowGroupSize);
        return path;
    }

    private static JsonObject JsonRow(int index) => new()
    {
        ["data_source"] = "openai/gsm8k",
        ["prompt"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"Question {index}?" }),
        ["ability"] = "math",
        ["reward_model"] = new JsonObject { ["style"] = "rule", ["ground_truth"] = "72" },
        ["extra_info"] = new JsonObject { ["index"] = index, ["split"] = "test" },
    };
}
