using VerlOrleans.Contracts.Samples;

namespace VerlOrleans.Grains.Runs;

/// <summary>Reading a run's results: its files in chunks (for downloads from any silo) and its samples (for the dashboard).</summary>
public sealed partial class EvaluationRunGrain
{
    /// <summary>Files a client may read from a run's folder.</summary>
    public static readonly IReadOnlySet<string> ResultFiles = new HashSet<string>(StringComparer.Ordinal)
    {
        "results.jsonl", "results.parquet", "metrics.json", "manifest.json", "prompt_report.json", "import_report.json",
    };

    private const int MaxResultsChunk = 1 << 20;

    public async Task<byte[]> ReadResultsFileAsync(string name, long offset, int count)
    {
        if (!ResultFiles.Contains(name))
        {
            throw new ArgumentException($"'{name}' is not a results file; one of: {string.Join(", ", ResultFiles)}", nameof(name));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var folder = state.State.Status?.ResultsDirectory ?? throw new InvalidOperationException($"run '{RunId}' does not exist");
        var path = Path.Combine(folder, name);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"run '{RunId}' has no {name} (yet)", path);
        }

        using var handle = File.OpenHandle(path);
        var buffer = new byte[(int)Math.Min(Math.Min(count, MaxResultsChunk), Math.Max(0, RandomAccess.GetLength(handle) - offset))];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await RandomAccess.ReadAsync(handle, buffer.AsMemory(read), offset + read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return read == buffer.Length ? buffer : buffer[..read];
    }

    public Task<SamplePage> QuerySamplesAsync(SampleQuery query) =>
        Samples() is { } samples ? samples.QueryAsync(query) : Task.FromResult(SamplePage.Empty);

    public Task<SampleDetail?> GetSampleAsync(string uid, int sampleIndex) =>
        Samples() is { } samples ? samples.GetAsync(uid, sampleIndex) : Task.FromResult<SampleDetail?>(null);

    public Task<IReadOnlyList<SampleDetail>> GetPromptSamplesAsync(string uid) =>
        Samples() is { } samples ? samples.OfPromptAsync(uid) : Task.FromResult<IReadOnlyList<SampleDetail>>([]);

    public Task<IReadOnlyList<SampleOutcome>> GetOutcomesAsync() =>
        Samples() is { } samples ? samples.OutcomesAsync() : Task.FromResult<IReadOnlyList<SampleOutcome>>([]);

    private RunSamples? Samples() => state.State.Status?.ResultsDirectory is { } folder ? _samples ??= new RunSamples(folder) : null;
}
