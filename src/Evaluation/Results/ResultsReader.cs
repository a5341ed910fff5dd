using System.Text;
using VerlOrleans.Evaluation.Metrics;

namespace VerlOrleans.Evaluation.Results;

/// <summary>Reads results back (JSON Lines or Parquet) and recomputes a run's metrics from them.</summary>
public static class ResultsReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Every result line of <paramref name="path"/> (missing file: none). With <paramref name="dropTornLastLine"/>, a
    /// last line without its newline (an append cut short by a crash) is ignored instead of failing.
    /// </summary>
    public static async Task<List<SampleResult>> ReadJsonlAsync(string path, bool dropTornLastLine = false, CancellationToken cancellationToken = default)
    {
        var results = new List<SampleResult>();
        if (!File.Exists(path))
        {
            return results;
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        var end = bytes.Length;
        if (dropTornLastLine && end > 0 && bytes[end - 1] != (byte)'\n')
        {
            end = Array.LastIndexOf(bytes, (byte)'\n', end - 1) + 1;
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes, 0, end);
        }
        catch (DecoderFallbackException e)
        {
            throw new ResultsFormatException($"{path}: not valid UTF-8", e);
        }

        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (line.Length > 0)
            {
                results.Add(SampleResultJson.FromLine(line, $"{path}: line {lineNumber}"));
            }
        }

        return results;
    }

    /// <summary>Reads a results file by its extension (<c>.jsonl</c> or <c>.parquet</c>).</summary>
    public static Task<List<SampleResult>> ReadAsync(string path, CancellationToken cancellationToken = default) =>
        Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".jsonl" or ".json" => ReadJsonlAsync(path, false, cancellationToken),
            ".parquet" => SampleResultParquet.ReadAsync(path, cancellationToken),
            _ => throw new ResultsFormatException($"{path}: results files are .jsonl or .parquet"),
        };

    /// <summary>
    /// verl's validation metrics over <paramref name="results"/>, taken in (position, sample index) order: the order
    /// verl's validation batch holds them in, whatever order they finished in. Samples whose reward failed count with
    /// 0 for every variable (<see cref="FailedSampleVariables"/>).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, double>> ComputeMetrics(IEnumerable<SampleResult> results, ValidationMetricsOptions? options = null) =>
        ValidationMetrics.Compute(FailedSampleVariables.ToMetricSamples(results.OrderBy(r => r.Position).ThenBy(r => r.SampleIndex).ToList()), options);
}
