namespace VerlOrleans.Evaluation.Results;

/// <summary>
/// Finished runs by <see cref="ManifestJson.CacheKey"/>: what lets an evaluation that was already run be answered from
/// the earlier run's folder instead of generating again.
/// </summary>
public interface IResultsCache
{
    /// <summary>A finished run whose manifest had <paramref name="key"/>, or null.</summary>
    Task<CachedRun?> FindAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Records that the run writing <paramref name="folder"/> finished with <paramref name="key"/>.</summary>
    Task RecordAsync(string key, string folder, CancellationToken cancellationToken = default);
}

/// <summary>A finished run the cache knows: its id and results folder.</summary>
public sealed record CachedRun(string RunId, string Folder);
