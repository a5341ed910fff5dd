using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Grains.Checkpoints;

/// <summary>
/// What deleting a checkpoint needs to know and do besides its grain's own state: who still uses it, which folder on
/// disk the grid itself wrote for it (and may therefore delete), and which resident models hold its weights.
/// </summary>
public static class CheckpointRemoval
{
    /// <summary>
    /// Why the checkpoint may not go now (a run in progress on it or on its weights, a running sweep with a run on it
    /// still to come), or null when nothing uses it. Only runs generate with model grains: a model whose runs are all
    /// finished may be unloaded even while a cancelled run's last calls drain from its engine (they fail, as they would).
    /// </summary>
    public static async Task<string?> FindUseAsync(IGrainFactory grains, CheckpointStatus checkpoint)
    {
        var catalog = grains.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey);
        var models = ModelPrefix(checkpoint);
        foreach (var line in (await catalog.ListRunsAsync()).Where(r => !r.State.IsFinished()))
        {
            // The catalog line has no model key, and may lag: the run grain is asked.
            var run = await grains.GetGrain<IEvaluationRunGrain>(line.RunId).GetStatusAsync();
            var onIt = run.Spec is not null && SameCheckpoint(run.Spec.Checkpoint, checkpoint.Path);
            var onItsWeights = models is not null && run.ModelKey?.StartsWith(models, StringComparison.Ordinal) == true;
            if (!run.State.IsFinished() && (onIt || onItsWeights))
            {
                return $"run '{run.RunId}' is {run.State.ToString().ToLowerInvariant()} on {(onIt ? "it" : "its weights")}; cancel the run first";
            }
        }

        foreach (var line in (await catalog.ListSweepsAsync()).Where(s => !s.Finished))
        {
            var sweep = await grains.GetGrain<ISweepGrain>(line.SweepId).GetStatusAsync();
            if (sweep.Rows.Any(r => r.Checkpoint == checkpoint.Path && !r.State.IsFinished()))
            {
                return $"sweep '{sweep.SweepId}' is still running with a run on it to finish; cancel the sweep first";
            }
        }

        return null;
    }

    /// <summary>The resident models (every dtype) that hold the checkpoint's weights, as the catalog lists them.</summary>
    public static async Task<IReadOnlyList<string>> ResidentModelsAsync(IGrainFactory grains, CheckpointStatus checkpoint) =>
        ModelPrefix(checkpoint) is { } prefix
            ? (await grains.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey).ListModelsAsync())
                .Where(m => m.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(m => m.Key).ToList()
            : [];

    /// <summary>
    /// The other registered checkpoints that might share this one's merge, as their grains say now: the catalog's copies
    /// lag a report behind (a merge that just finished may still read as merging there).
    /// </summary>
    public static async Task<IReadOnlyList<CheckpointStatus>> PossibleSharersAsync(IGrainFactory grains, CheckpointStatus checkpoint, IEnumerable<CheckpointStatus> registered)
    {
        var candidates = registered.Where(c => c.Path != checkpoint.Path
            && (!c.IsSettled || (c.ContentHash is not null && c.ContentHash == checkpoint.ContentHash) || (c.ModelPath is not null && c.ModelPath == checkpoint.ModelPath)));
        return await Task.WhenAll(candidates.Select(c => grains.GetGrain<ICheckpointGrain>(c.Path).GetStatusAsync()));
    }

    /// <summary>
    /// The folder the grid merged this checkpoint's shards into, when it may be deleted with it: a verl shard set's (or
    /// LoRA adapter's) merge, a real folder (not a link) directly under <paramref name="modelCacheDirectory"/> named by the content hash,
    /// apart from the checkpoint's own folder, no other checkpoint's model folder (equal weights are merged once and
    /// shared), and no other shard set being merged meanwhile (its merge may end by reusing this folder). Null otherwise:
    /// a Hugging Face folder the user registered is the user's, and a merge left behind is only disk space.
    /// </summary>
    public static string? GridWrittenFolder(CheckpointStatus checkpoint, string modelCacheDirectory, IEnumerable<CheckpointStatus> others)
    {
        if (checkpoint is not { Kind: "verl-shards" or "lora-adapter" or "megatron-dist-ckpt", ModelPath: { } modelPath, ContentHash: { } hash })
        {
            return null;
        }

        var folder = Full(modelPath);
        var own = Full(checkpoint.Path);
        if (Path.GetDirectoryName(folder) != Full(modelCacheDirectory) || Path.GetFileName(folder) != hash
            || Within(folder, own) || Within(own, folder))
        {
            return null;
        }

        if (others.Any(c => c.Path != checkpoint.Path
            && ((c.ModelPath is { } other && Full(other) == folder) || (c.Kind is "verl-shards" or "lora-adapter" or "megatron-dist-ckpt" && c.State is CheckpointState.Validating or CheckpointState.Merging))))
        {
            return null;
        }

        var info = new DirectoryInfo(folder);
        return info.Exists && info.LinkTarget is null ? folder : null;
    }

    /// <summary>Model grain keys of the checkpoint's weights start with this (one key per dtype).</summary>
    private static string? ModelPrefix(CheckpointStatus checkpoint) => checkpoint.ContentHash is { } hash ? ModelKeys.For(hash, "") : null;

    private static bool SameCheckpoint(string spelled, string key)
    {
        try
        {
            return CheckpointPaths.Normalize(spelled) == key;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string Full(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private static bool Within(string path, string folder) =>
        path == folder || path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
