using System.Text;
using VerlOrleans.Evaluation.Metrics;

namespace VerlOrleans.Evaluation.Results;

/// <summary>
/// Appends sample results to a run's folder as they arrive: each result becomes one line of
/// <c>results.jsonl</c>, written and flushed before <see cref="AppendAsync"/> returns (a crash loses at most the
/// samples still being generated), and joins a buffer that is appended to <c>results.parquet</c> as a row group.
/// JSON Lines is the journal: when a run resumes, a torn last line is cut off and the Parquet file is rebuilt from
/// it. <see cref="CompleteAsync"/> writes <c>metrics.json</c> from every result in the folder. Thread-safe.
/// </summary>
public sealed class ResultsWriter : IAsyncDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly FileStream _journal;
    private readonly HashSet<(string Uid, int SampleIndex)> _completed;
    private readonly List<SampleResult> _parquetBuffer = [];
    private readonly ResultsWriterOptions _options;

    // A write failed (a full disk): the journal may end in a torn line and the Parquet file was dropped. Nothing more is
    // written, and every later write reports the first error (whichever caller sees it first, the run's own error names
    // the cause); a resume cuts the torn line and rebuilds the Parquet file.
    private string? _brokenBy;

    private ResultsWriter(string folder, FileStream journal, HashSet<(string, int)> completed, ResultsWriterOptions options)
    {
        Folder = folder;
        _journal = journal;
        _completed = completed;
        _options = options;
    }

    public string Folder { get; }

    /// <summary>Results already in the folder when it was opened, plus those appended since.</summary>
    public int Count => _completed.Count;

    /// <summary>
    /// Opens <paramref name="folder"/> for a run described by <paramref name="manifest"/>. An empty or missing
    /// folder starts a new run. A folder holding a run is resumed when <see cref="ResultsWriterOptions.Resume"/> is
    /// set and its manifest matches (otherwise the error names the first differing setting); its completed
    /// (uid, sample index) pairs are then reported by <see cref="IsCompleted"/>.
    /// </summary>
    public static async Task<ResultsWriter> OpenAsync(string folder, RunManifest manifest, ResultsWriterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ResultsWriterOptions();
        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        var manifestPath = Path.Combine(folder, ResultsFolder.ManifestFile);
        var journalPath = Path.Combine(folder, ResultsFolder.ResultsJsonlFile);
        var completed = new HashSet<(string, int)>();
        if (File.Exists(manifestPath) || File.Exists(journalPath))
        {
            if (!options.Resume)
            {
                throw new ResultsFormatException($"{folder} already holds a run; resume it or choose an empty folder");
            }

            if (!File.Exists(manifestPath))
            {
                throw new ResultsFormatException($"{folder} has results but no {ResultsFolder.ManifestFile}; it cannot be resumed safely");
            }

            var existing = ManifestJson.Read(manifestPath);
            if (ManifestJson.FirstDifference(existing, manifest) is { } difference)
            {
                throw new ResultsFormatException($"{manifestPath}: the run to resume has different settings: {difference}");
            }

            manifest = manifest with { CreatedAt = existing.CreatedAt };
            var results = await ResultsReader.ReadJsonlAsync(journalPath, dropTornLastLine: true, cancellationToken);
            foreach (var result in results)
            {
                if (!completed.Add((result.Uid, result.SampleIndex)))
                {
                    throw new ResultsFormatException($"{journalPath}: uid '{result.Uid}' sample {result.SampleIndex} appears twice");
                }
            }

            TruncateTornLastLine(journalPath);
            await SampleResultParquet.WriteAsync(Path.Combine(folder, ResultsFolder.ResultsParquetFile), results, cancellationToken);
        }

        ResultsFolder.WriteAtomically(manifestPath, ManifestJson.Serialize(manifest));
        var journal = new FileStream(journalPath, FileMode.Append, FileAccess.Write, FileShare.Read);
        return new ResultsWriter(folder, journal, completed, options);
    }

    /// <summary>True when the folder already holds the result for this prompt's sample.</summary>
    public bool IsCompleted(string uid, int sampleIndex)
    {
        _lock.Wait();
        try
        {
            return _completed.Contains((uid, sampleIndex));
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task AppendAsync(SampleResult result, CancellationToken cancellationToken = default)
    {
        var line = Encoding.UTF8.GetBytes(SampleResultJson.ToLine(result) + "\n");
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (!_completed.Add((result.Uid, result.SampleIndex)))
            {
                throw new InvalidOperationException($"uid '{result.Uid}' sample {result.SampleIndex} was already written to {Folder}");
            }

            ThrowIfBroken();
            try
            {
                await _journal.WriteAsync(line, CancellationToken.None);
                _journal.Flush(flushToDisk: _options.FlushToDisk);
            }
            catch (IOException e)
            {
                _brokenBy = e.Message;
                throw;
            }

            _parquetBuffer.Add(result);
            if (_parquetBuffer.Count >= _options.ParquetRowGroupSize)
            {
                await FlushParquetAsync(CancellationToken.None);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Flushes the Parquet buffer, computes the metrics of every result in the folder and writes <c>metrics.json</c>.</summary>
    public async Task<IReadOnlyList<KeyValuePair<string, double>>> CompleteAsync(ValidationMetricsOptions? metricsOptions = null, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            ThrowIfBroken();
            await FlushParquetAsync(cancellationToken);
            var results = await ResultsReader.ReadJsonlAsync(Path.Combine(Folder, ResultsFolder.ResultsJsonlFile), dropTornLastLine: false, cancellationToken);
            var metrics = ResultsReader.ComputeMetrics(results, metricsOptions);
            ResultsFolder.WriteAtomically(Path.Combine(Folder, ResultsFolder.MetricsFile), MetricsJson.Serialize(metrics));
            return metrics;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync();
        try
        {
            await FlushParquetAsync(CancellationToken.None);
            await _journal.DisposeAsync();
        }
        finally
        {
            _lock.Release();
        }

        _lock.Dispose();
    }

    private async Task FlushParquetAsync(CancellationToken cancellationToken)
    {
        if (_parquetBuffer.Count == 0 || _brokenBy is not null)
        {
            return;
        }

        var path = Path.Combine(Folder, ResultsFolder.ResultsParquetFile);
        try
        {
            await SampleResultParquet.AppendAsync(path, _parquetBuffer, cancellationToken);
        }
        catch (Exception e)
        {
            // An append cut short (a full disk, a cancellation, a Parquet writer error) leaves the file without a valid
            // footer: unreadable, and every later append would fail on it with a message that hides the cause. The
            // journal holds every row.
            File.Delete(path);
            // Parquet.Net wraps the system's error ("No space left on device") in its own: say the system's.
            for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            {
                if (inner is IOException io)
                {
                    _brokenBy = $"{path}: {io.Message}";
                    throw new IOException(_brokenBy, e);
                }
            }

            _brokenBy = e.Message;
            throw;
        }

        _parquetBuffer.Clear();
    }

    private void ThrowIfBroken()
    {
        if (_brokenBy is not null)
        {
            throw new IOException($"an earlier write to {Folder} failed ({_brokenBy}); nothing more is written there");
        }
    }

    /// <summary>Cuts a last line that has no newline (a write interrupted by a crash) so appends start on a fresh line.</summary>
    private static void TruncateTornLastLine(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        var length = stream.Length;
        var keep = length;
        var buffer = new byte[1];
        while (keep > 0)
        {
            stream.Position = keep - 1;
            stream.ReadExactly(buffer);
            if (buffer[0] == (byte)'\n')
            {
                break;
            }

            keep--;
        }

        if (keep != length)
        {
            stream.SetLength(keep);
            stream.Flush(flushToDisk: true);
        }
    }
}
