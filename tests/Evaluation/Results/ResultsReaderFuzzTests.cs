using VerlOrleans.Evaluation.Results;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Results;

/// <summary>Seeded mutation fuzzing of result files: damaged ones read or fail with a <see cref="ResultsFormatException"/>, nothing else.</summary>
public sealed class ResultsReaderFuzzTests : IDisposable
{
    private readonly TempDirectory _dir = new("results-fuzz");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(ResultsFolder.ResultsJsonlFile, 11)]
    [InlineData(ResultsFolder.ResultsParquetFile, 12)]
    public async Task Mutated_result_files_read_or_fail_with_a_results_format_error(string file, int seed)
    {
        var folder = _dir.Combine("run");
        await using (var writer = await ResultsWriter.OpenAsync(folder, ResultsWriterTests.Manifest(), new ResultsWriterOptions { ParquetRowGroupSize = 8 }))
        {
            foreach (var result in ResultsWriterTests.GoldenResults("math_dapo_n4", out _))
            {
                await writer.AppendAsync(result);
            }
        }

        var original = await File.ReadAllBytesAsync(Path.Combine(folder, file));
        var random = new Random(seed);
        var rejected = 0;
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var bytes = original.ToArray();
            for (var edit = random.Next(1, 5); edit > 0; edit--)
            {
                var at = random.Next(bytes.Length);
                bytes[at] = random.Next(3) == 0 ? (byte)0xFF : (byte)random.Next(256);
            }

            var path = _dir.Combine($"case{iteration}{Path.GetExtension(file)}");
            await File.WriteAllBytesAsync(path, bytes);
            try
            {
                await ResultsReader.ReadAsync(path).WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (ResultsFormatException e)
            {
                Assert.Contains(path, e.Message, StringComparison.Ordinal);
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration} (seed {seed}): {e.GetType().Name} escaped the results reader: {e.Message}");
            }

            File.Delete(path);
        }

        Assert.True(rejected > 20, $"only {rejected} of 200 damaged files were rejected");
    }
}
