using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace VerlOrleans.Evaluation.Tests.Fixtures;

/// <summary>
/// Writes small parquet files in verl's row layout (every column optional, as pyarrow writes them) so the
/// dataset tests own their fixtures instead of committing binaries.
/// </summary>
internal static class VerlParquetWriter
{
    public static readonly ParquetSchema Schema = new(
        new DataField<string>("data_source"),
        new ListField("prompt", new StructField("element",
            new DataField<string>("content"),
            new DataField<string>("role"))),
        new DataField<string>("ability"),
        new StructField("reward_model",
            new DataField<string>("ground_truth"),
            new DataField<string>("style")),
        new StructField("extra_info",
            new DataField<long?>("index"),
            new DataField<string>("split")),
        new DataField<string>("level"));

    public static Dictionary<string, object?> Row(int index, string source = "openai/gsm8k", string? question = null, string truth = "72") => new()
    {
        ["data_source"] = source,
        ["prompt"] = new List<Dictionary<string, object?>>
        {
            new() { ["content"] = question ?? $"Question {index}? Let's think step by step and output the final answer after \"####\".", ["role"] = "user" },
        },
        ["ability"] = "math",
        ["reward_model"] = new Dictionary<string, object?> { ["ground_truth"] = truth, ["style"] = "rule" },
        ["extra_info"] = new Dictionary<string, object?> { ["index"] = (long?)index, ["split"] = "test" },
        ["level"] = $"Level {index % 5 + 1}",
    };

    public static async Task WriteAsync(string path, IReadOnlyCollection<Dictionary<string, object?>> rows, int rowGroupSize = 1000)
    {
        await using var stream = File.Create(path);
        await ParquetSerializer.SerializeUntypedAsync(
            rows.Select(r => (IDictionary<string, object?>)r).ToList(), Schema, stream, new ParquetOptions { RowGroupSize = rowGroupSize });
    }
}
