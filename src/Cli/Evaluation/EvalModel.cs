using VerlOrleans.Checkpoints;
using VerlOrleans.Checkpoints.Inspection;
using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Cli.Evaluation;

/// <summary>
/// The Hugging Face folder an evaluation loads, from what the user named: a Hugging Face folder as it is, or a verl
/// actor folder (or LoRA adapter) merged (bf16, verl's merge) into a cache folder named by the merged weights' content
/// hash, which later runs of the same checkpoint reuse. Value models (critics) are refused: they do not generate. <see cref="ContentHash"/> identifies the weights either way.
/// </summary>
public sealed record EvalModel(string GivenPath, string Folder, string ContentHash, bool Merged)
{
    /// <summary>$XDG_CACHE_HOME/verlorleans/merged, or ~/.cache/verlorleans/merged.</summary>
    public static string DefaultMergeCache =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache
            ? cache
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "verlorleans", "merged");

    /// <summary>Resolves <paramref name="path"/>; throws <see cref="CheckpointFormatException"/> for anything but one model.</summary>
    public static async Task<EvalModel> ResolveAsync(string path, string mergeCache, TextWriter log, CancellationToken cancellationToken)
    {
        var found = CheckpointDiscovery.Discover(path);
        if (found.Kind != CheckpointKind.VerlRun && ModelKinds.Describe(found.Checkpoints[0]) is { IsValueModel: true } valueModel)
        {
            throw new CheckpointFormatException(found.Path, valueModel.Description);
        }

        switch (found.Kind)
        {
            case CheckpointKind.HuggingFace:
                return new EvalModel(found.Path, found.Path, ModelContentHash.Compute(SafetensorsModel.Open(found.Path), cancellationToken), Merged: false);
            case CheckpointKind.VerlShardSet or CheckpointKind.LoraAdapter or CheckpointKind.MegatronDistCkpt:
                return await MergeAsync(found.Path, mergeCache, log, cancellationToken);
            default:
                var steps = string.Join(", ", found.Checkpoints.Select(c => c.Path));
                throw new CheckpointFormatException(found.Path, $"a verl run folder holds several checkpoints; evaluate one of them ({steps})");
        }
    }

    private static async Task<EvalModel> MergeAsync(string actor, string mergeCache, TextWriter log, CancellationToken cancellationToken)
    {
        log.WriteLine($"merging {actor} ...");
        var cached = await ModelCache.MergeIntoAsync(actor, mergeCache, cancellationToken: cancellationToken);
        log.WriteLine(cached.Reused
            ? $"merged weights {cached.Result.ContentHash[..16]} already in {cached.Folder}; reusing it"
            : $"merged {cached.Result.TensorCount} tensors into {cached.Folder}");
        return new EvalModel(actor, cached.Folder, cached.Result.ContentHash, Merged: true);
    }
}
