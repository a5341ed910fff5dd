using System.Text.Json.Nodes;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;
using VerlOrleans.Evaluation;
using VerlOrleans.Evaluation.Metrics;
using VerlOrleans.Evaluation.Rewards;

namespace VerlOrleans.Bench.Evaluation;

/// <summary>Workloads for the benchmark: a verl-shaped parquet file, the golden reward corpus, metric samples.</summary>
internal static class SyntheticData
{
    /// <summary>
    /// A verl-shaped parquet file of about 2 KB of incompressible-ish prompt text per row, written one row group at a
    /// time so writing it never holds the whole file.
    /// </summary>
    public static async Task WriteParquetAsync(string path, int rows, int rowGroupSize)
    {
        var schema = new ParquetSchema(
            new DataField<string>("data_source"),
            new ListField("prompt", new StructField("element", new DataField<string>("content"), new DataField<string>("role"))),
            new StructField("reward_model", new DataField<string>("ground_truth"), new DataField<string>("style")),
            new StructField("extra_info", new DataField<long?>("index"), new DataField<string>("split")));
        var random = new Random(5);
        var words = Enumerable.Range(0, 4096).Select(_ => new string(Enumerable.Range(0, random.Next(2, 9)).Select(_ => (char)('a' + random.Next(26))).ToArray())).ToArray();
        File.Delete(path);
        for (var start = 0; start < rows; start += rowGroupSize)
        {
            var group = Enumerable.Range(start, Math.Min(rowGroupSize, rows - start)).Select(i =>
            {
                var text = new System.Text.StringBuilder($"{i}:");
                while (text.Length < 2000)
                {
                    text.Append(' ').Append(words[random.Next(words.Length)]);
                }

                return (IDictionary<string, object?>)new Dictionary<string, object?>
                {
                    ["data_source"] = "openai/gsm8k",
                    ["prompt"] = new List<Dictionary<string, object?>> { new() { ["content"] = text.ToString(), ["role"] = "user" } },
                    ["reward_model"] = new Dictionary<string, object?> { ["ground_truth"] = (i % 1000).ToString(System.Globalization.CultureInfo.InvariantCulture), ["style"] = "rule" },
                    ["extra_info"] = new Dictionary<string, object?> { ["index"] = (long?)i, ["split"] = "test" },
                };
            }).ToList();
            await using var stream = new FileStream(path, start == 0 ? FileMode.Create : FileMode.Open, FileAccess.ReadWrite);
            await ParquetSerializer.SerializeUntypedAsync(group, schema, stream, new ParquetOptions { RowGroupSize = rowGroupSize, Append = start > 0 });
        }
    }

    public static List<RewardRequest> RewardCorpus(string goldenPath) =>
        File.ReadLines(goldenPath).Select(line =>
        {
            var o = JsonNode.Parse(line)!.AsObject();
            return new RewardRequest(o["data_source"]!.GetValue<string>(), o["solution_str"]!.GetValue<string>(), o["ground_truth"]?.DeepClone(), null,
                o["reward_kwargs"]?.AsObject().ToDictionary(p => p.Key, p => p.Value?.DeepClone()));
        }).ToList();

    /// <summary>Deterministic math_dapo-like samples: reward/score ±1, acc, pred; the same generator as PythonReference uses.</summary>
    public static List<MetricSample> MetricSamples(int prompts, int n)
    {
        var samples = new List<MetricSample>(prompts * n);
        for (var p = 0; p < prompts; p++)
        {
            for (var s = 0; s < n; s++)
            {
                var acc = (p * 7 + s * 3) % 5 < 2;
                var score = acc ? 1.0 : -1.0;
                samples.Add(new MetricSample("math_dapo", $"u{p}",
                [
                    new("reward", ScalarValue.FromNumber(score)),
                    new("score", ScalarValue.FromNumber(score)),
                    new("acc", ScalarValue.FromBoolean(acc)),
                    new("pred", ScalarValue.FromText(((p + s) % 4).ToString(System.Globalization.CultureInfo.InvariantCulture))),
                ]));
            }
        }

        return samples;
    }
}
