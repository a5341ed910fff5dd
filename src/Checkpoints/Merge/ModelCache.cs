namespace VerlOrleans.Checkpoints.Merge;

/// <summary>The outcome of <see cref="ModelCache.MergeIntoAsync"/>.</summary>
/// <param name="Folder">The cached Hugging Face folder (<c>{cache}/{content hash}</c>).</param>
/// <param name="Result">The merge that produced the weights (its target was a staging folder, since removed or renamed).</param>
/// <param name="Reused">True when a folder with the same content was already cached and the fresh merge was discarded.</param>
public sealed record CachedMerge(string Folder, MergeResult Result, bool Reused);

/// <summary>
/// A content-addressed cache of merged models: a verl shard set is merged into a staging folder, then published as
/// <c>{cache}/{content hash}</c>, or discarded when that folder already exists. Equal weights are stored once, and a
/// crash never leaves a half folder under a hash name.
/// </summary>
public static class ModelCache
{
    public static async Task<CachedMerge> MergeIntoAsync(
        string actorFolder, string cacheDirectory, IProgress<MergeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(cacheDirectory);
        var staging = Path.Combine(cacheDirectory, $".merging-{Guid.NewGuid():N}");
        try
        {
            var result = await CheckpointMerger.MergeAsync(actorFolder, new MergeOptions(staging), progress, cancellationToken).ConfigureAwait(false);
            var folder = Path.Combine(cacheDirectory, result.ContentHash);
            if (Directory.Exists(folder))
            {
                return new CachedMerge(folder, result, Reused: true);
            }

            Directory.Move(staging, folder);
            return new CachedMerge(folder, result, Reused: false);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }
}
