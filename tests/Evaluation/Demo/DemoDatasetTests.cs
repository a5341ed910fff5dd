using System.Security.Cryptography;
using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Tests.Datasets;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Demo;

/// <summary>
/// demo/data/demo_test.parquet (written by the Apache Arrow Rust parquet writer from tools/demo/train_demo.py's
/// held-out rows) reads through the project's verl dataset reader as verl's gsm8k test parquet would: every row a
/// chat prompt, routed to the gsm8k reward, whose reference answer earns 1 and whose families alternate.
/// </summary>
public sealed class DemoDatasetTests
{
    private const string Instruction = "Let's think step by step and output the final answer after \"####\".";

    [Fact]
    public async Task The_parquet_reads_in_verls_gsm8k_schema_with_every_row()
    {
        var dataset = await VerlDataset.OpenAsync([DemoFiles.Dataset]);
        var rows = await VerlDataFilesTests.ReadAllAsync(dataset);
        var manifest = DemoFiles.Manifest.GetProperty("dataset");

        Assert.Equal(manifest.GetProperty("rows").GetInt64(), dataset.TotalRows);
        Assert.InRange(rows.Count, 200, 1000);
        Assert.Equal(manifest.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(DemoFiles.Dataset))));
        Assert.Equal(manifest.GetProperty("bytes").GetInt64(), new FileInfo(DemoFiles.Dataset).Length);
        var gsm8k = new Gsm8kReward();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            Assert.Equal(i, row.Position);
            Assert.Equal("openai/gsm8k", row.DataSource);
            Assert.Equal("math", row.Ability);
            Assert.Equal("rule", row.RewardStyle);
            var message = Assert.IsType<JsonObject>(Assert.Single(row.Prompt));
            Assert.Equal("user", message["role"]!.GetValue<string>());
            var question = row.ExtraInfo["question"]!.GetValue<string>();
            Assert.Equal(question + " " + Instruction, message["content"]!.GetValue<string>());
            Assert.Equal("test", row.ExtraInfo["split"]!.GetValue<string>());
            Assert.Equal(i, row.ExtraInfo["index"]!.GetValue<long>());
            Assert.Equal(i % 2 == 0 ? "demo/addition" : "demo/subtraction", row.ExtraInfo["family"]!.GetValue<string>());

            var truth = row.GroundTruth!.GetValue<string>();
            var answer = row.ExtraInfo["answer"]!.GetValue<string>();
            Assert.EndsWith(" #### " + truth, answer, StringComparison.Ordinal);
            Assert.Equal(1.0, gsm8k.Score(new RewardRequest("openai/gsm8k", answer, row.GroundTruth)).Score);
            Assert.Equal(0.0, gsm8k.Score(new RewardRequest("openai/gsm8k", truth, row.GroundTruth)).Score);   // strict: "#### N" or nothing
            Assert.Same(gsm8k.GetType(), RewardRegistry.CreateDefault().Resolve(row.MetricsDataSource).GetType());
        }

        Assert.Equal(rows.Count, rows.Select(r => r.ExtraInfo["question"]!.GetValue<string>()).Distinct().Count());
    }
}
