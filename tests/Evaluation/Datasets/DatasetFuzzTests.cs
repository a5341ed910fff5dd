using System.Diagnostics;
using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Tests.Fixtures;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Datasets;

/// <summary>
/// Seeded, bounded mutation fuzzing of the dataset readers: a damaged file must either read or fail with a
/// <see cref="DatasetFormatException"/> naming it, never with another exception type, a hang or a crash.
/// </summary>
public sealed class DatasetFuzzTests : IDisposable
{
    private const int Iterations = 300;
    private readonly TempDirectory _dir = new("dataset-fuzz");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Mutated_parquet_files_read_or_fail_with_a_dataset_format_error()
    {
        var original = _dir.Combine("original.parquet");
        await VerlParquetWriter.WriteAsync(original, Enumerable.Range(0, 30).Select(i => VerlParquetWriter.Row(i)).ToList(), rowGroupSize: 10);
        await FuzzAsync(await File.ReadAllBytesAsync(original), "parquet", seed: 1234);
    }

    [Fact]
    public async Task Mutated_jsonl_files_read_or_fail_with_a_dataset_format_error()
    {
        var lines = Enumerable.Range(0, 20).Select(i =>
            $$$"""{"data_source":"openai/gsm8k","prompt":[{"role":"user","content":"Q{{{i}}} ünïcödé 😀"}],"reward_model":{"style":"rule","ground_truth":"{{{i}}}"},"extra_info":{"index":{{{i}}}}}""");
        await FuzzAsync(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", lines)), "jsonl", seed: 99);
    }

    private async Task FuzzAsync(byte[] original, string extension, int seed)
    {
        var random = new Random(seed);
        var outcomes = new Dictionary<string, int>();
        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var mutated = Mutate(original, random);
            var path = _dir.Combine($"case{iteration}.{extension}");
            await File.WriteAllBytesAsync(path, mutated);
            var watch = Stopwatch.StartNew();
            try
            {
                await ReadEverythingAsync(path).WaitAsync(TimeSpan.FromSeconds(20));
                outcomes["read"] = outcomes.GetValueOrDefault("read") + 1;
            }
            catch (DatasetFormatException e)
            {
                Assert.Contains(path, e.Message, StringComparison.Ordinal);
                outcomes["rejected"] = outcomes.GetValueOrDefault("rejected") + 1;
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration} (seed {seed}): {e.GetType().Name} escaped the reader: {e.Message}");
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"iteration {iteration} took {watch.Elapsed}");
            File.Delete(path);
        }

        Assert.True(outcomes.GetValueOrDefault("rejected") > Iterations / 10, $"too few mutations were detected: {string.Join(", ", outcomes)}");
    }

    private static async Task ReadEverythingAsync(string path)
    {
        var dataset = await VerlDataset.OpenAsync([path]);
        await foreach (var _ in dataset.ReadAsync())
        {
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = original.ToList();
        var edits = random.Next(1, 6);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 2:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 64), bytes.Count - at));
                    break;
                case 3:
                    bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 16)).Select(_ => (byte)random.Next(256)));
                    break;
                default:
                    // Overwrite 4 bytes with an extreme length-like value, the classic way to provoke huge allocations.
                    var value = BitConverter.GetBytes(random.Next(2) == 0 ? int.MaxValue : -random.Next(1, 1000));
                    for (var i = 0; i < 4 && at + i < bytes.Count; i++)
                    {
                        bytes[at + i] = value[i];
                    }

                    break;
            }
        }

        return [.. bytes];
    }
}
