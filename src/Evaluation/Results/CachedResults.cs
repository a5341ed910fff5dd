namespace VerlOrleans.Evaluation.Results;

/// <summary>
/// Answers a run from the results cache: finds a finished run with the same key, checks that its folder still holds
/// that run (its manifest gives the same key, its results and metrics are there), and copies its files into the new
/// run's folder, manifest last, naming the run it came from.
/// </summary>
public static class CachedResults
{
    private static readonly string[] Copied = [ResultsFolder.ResultsJsonlFile, ResultsFolder.ResultsParquetFile, ResultsFolder.MetricsFile, ResultsFolder.PromptReportFile];

    /// <summary>
    /// The metrics of the earlier run now copied into <paramref name="folder"/>, or null when there is none to reuse
    /// (nothing cached, the cached folder gone or changed, or <paramref name="folder"/> already holds a run).
    /// </summary>
    public static async Task<IReadOnlyList<KeyValuePair<string, double>>?> TryReuseAsync(
        RunManifest wanted, IResultsCache cache, string folder, TimeProvider clock, Metrics.ValidationMetricsOptions? metricsOptions = null,
        CancellationToken cancellationToken = default)
    {
        folder = Path.GetFullPath(folder);
        if (File.Exists(Path.Combine(folder, ResultsFolder.ManifestFile)))
        {
            return null;
        }

        var key = ManifestJson.CacheKey(wanted);
        if (await cache.FindAsync(key, cancellationToken).ConfigureAwait(false) is not { } hit
            || Path.GetFullPath(hit.Folder) == folder
            || !File.Exists(Path.Combine(hit.Folder, ResultsFolder.ManifestFile))
            || !File.Exists(Path.Combine(hit.Folder, ResultsFolder.MetricsFile)))
        {
            return null;
        }

        RunManifest earlier;
        try
        {
            earlier = ManifestJson.Read(Path.Combine(hit.Folder, ResultsFolder.ManifestFile));
        }
        catch (ResultsFormatException)
        {
            return null;
        }

        if (earlier.ReusedFrom is not null || ManifestJson.CacheKey(earlier) != key)
        {
            return null;
        }

        Directory.CreateDirectory(folder);
        foreach (var file in Copied.Where(f => File.Exists(Path.Combine(hit.Folder, f))))
        {
            File.Copy(Path.Combine(hit.Folder, file), Path.Combine(folder, file), overwrite: true);
        }

        var results = await ResultsReader.ReadJsonlAsync(Path.Combine(folder, ResultsFolder.ResultsJsonlFile), cancellationToken: cancellationToken).ConfigureAwait(false);
        ResultsFolder.WriteAtomically(Path.Combine(folder, ResultsFolder.ManifestFile), ManifestJson.Serialize(earlier with
        {
            CreatedAt = clock.GetUtcNow(),
            ReusedFrom = new ReusedRun(hit.RunId, hit.Folder, earlier.CreatedAt),
        }));
        return ResultsReader.ComputeMetrics(results, metricsOptions);
    }
}
