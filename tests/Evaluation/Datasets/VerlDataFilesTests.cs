using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Tests.Fixtures;

namespace VerlOrleans.Evaluation.Tests.Datasets;

/// <summary>verl's real gsm8k and MATH test parquet files (written by pyarrow) read completely and as verl sees them.</summary>
public sealed class VerlDataFilesTests
{
    [Fact]
    public async Task Gsm8k_test_parquet_reads_all_1319_rows_with_verls_schema()
    {
        var dataset = await VerlDataset.OpenAsync([VerlData.Gsm8kTest]);
        var rows = await ReadAllAsync(dataset);

        Assert.Equal(1319, dataset.TotalRows);
        Assert.Equal(1319, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            Assert.Equal(i, row.Position);
            Assert.Equal("openai/gsm8k", row.DataSource);
            Assert.Equal("math", row.Ability);
            Assert.Equal("rule", row.RewardStyle);
            var message = Assert.Single(row.Prompt)!.AsObject();
            Assert.Equal("user", message["role"]!.GetValue<string>());
            Assert.EndsWith("Let's think step by step and output the final answer after \"####\".", message["content"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(i, row.ExtraInfo["index"]!.GetValue<long>());
            Assert.Equal("test", row.ExtraInfo["split"]!.GetValue<string>());
            // ground_truth is the text after "#### " in the original answer, commas removed (verl's preprocessing).
            var answer = row.ExtraInfo["answer"]!.GetValue<string>();
            Assert.Equal(answer[(answer.LastIndexOf("#### ", StringComparison.Ordinal) + 5)..].Replace(",", "", StringComparison.Ordinal), row.GroundTruth!.GetValue<string>());
        }

        Assert.Equal("18", rows[0].GroundTruth!.GetValue<string>());
        Assert.Equal(1319, rows.Select(r => r.Uid).Distinct().Count());
    }

    [Fact]
    public async Task Math_test_parquet_reads_all_5000_rows_and_keeps_level_and_type()
    {
        var dataset = await VerlDataset.OpenAsync([VerlData.MathTest]);
        var rows = await ReadAllAsync(dataset);

        Assert.Equal(5000, rows.Count);
        Assert.All(rows, r => Assert.Equal("DigitalLearningGmbH/MATH-lighteval", r.DataSource));
        Assert.All(rows, r => Assert.StartsWith("Level ", r.ExtraColumns["level"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.All(rows, r => Assert.False(string.IsNullOrEmpty(r.ExtraColumns["type"]!.GetValue<string>())));
        Assert.All(rows, r => Assert.EndsWith("within \\boxed{}.", r.Prompt[0]!["content"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, 5000).Select(i => (long)i), rows.Select(r => r.ExtraInfo["index"]!.GetValue<long>()));
        Assert.Equal("2", rows[0].GroundTruth!.GetValue<string>());
    }

    [Fact]
    public async Task Concatenated_real_files_with_a_shuffled_selection_pick_the_rows_numpy_picks()
    {
        var dataset = await VerlDataset.OpenAsync([VerlData.Gsm8kTest, VerlData.MathTest], new DatasetOptions { MaxSamples = 200, Shuffle = true, Seed = 42 });
        var rows = await ReadAllAsync(dataset);

        Assert.Equal(6319, dataset.TotalRows);
        var expected = new NumpyGenerator(42).ChooseWithoutReplacement(6319, 200);
        Assert.Equal(expected, rows.Select(r => r.DatasetIndex));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), rows.Select(r => r.Position));
        Assert.All(rows, r => Assert.Equal(r.DatasetIndex < 1319 ? "openai/gsm8k" : "DigitalLearningGmbH/MATH-lighteval", r.DataSource));
        Assert.All(rows, r => Assert.Equal(r.DatasetIndex < 1319 ? r.DatasetIndex : r.DatasetIndex - 1319, r.ExtraInfo["index"]!.GetValue<long>()));
    }

    internal static async Task<List<DatasetRow>> ReadAllAsync(VerlDataset dataset)
    {
        var rows = new List<DatasetRow>();
        await foreach (var row in dataset.ReadAsync())
        {
            rows.Add(row);
        }

        return rows;
    }
}
