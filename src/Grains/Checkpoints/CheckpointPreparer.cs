using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.Validation;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Grains.Hosting;

namespace VerlOrleans.Grains.Checkpoints;

/// <summary>
/// Turns a checkpoint folder into a loadable Hugging Face folder: validates it, merges verl shards into the
/// grid's model cache (<c>{DataDirectory}/models/{content hash}</c>), and names the weights by their content
/// hash. Blocking work: the checkpoint grain runs it off its scheduler.
/// </summary>
public sealed class CheckpointPreparer(string modelCacheDirectory)
{
    /// <summary>Where merged models live, one folder per content hash.</summary>
    public string ModelCacheDirectory { get; } = modelCacheDirectory;

    /// <summary>Kind, step and role of a single checkpoint folder (not a run folder).</summary>
    public static (string Kind, long? Step, string? Role) Describe(string path)
    {
        var discovered = CheckpointDiscovery.Discover(path);
        return discovered.Kind switch
        {
            CheckpointKind.HuggingFace => ("hugging-face", CheckpointDiscovery.StepOf(Path.GetFileName(Path.GetDirectoryName(path))), null),
            CheckpointKind.VerlShardSet => ("verl-shards", CheckpointDiscovery.StepOf(Path.GetFileName(Path.GetDirectoryName(path))), Path.GetFileName(path)),
            CheckpointKind.LoraAdapter => ("lora-adapter", discovered.Checkpoints[0].Step, discovered.Checkpoints[0].Role),
            CheckpointKind.MegatronDistCkpt => ("megatron-dist-ckpt", discovered.Checkpoints[0].Step, discovered.Checkpoints[0].Role),
            _ => throw new InvalidOperationException(
                $"{path} is a verl run folder holding {discovered.Checkpoints.Count} checkpoints: register it through the catalog, which registers each global_step_N"),
        };
    }

    /// <summary>Validates the folder (headers only; no tensor bytes are read).</summary>
    public static CheckpointValidation Validate(string path, CancellationToken cancellationToken) =>
        ToContract(CheckpointValidator.Validate(path, cancellationToken: cancellationToken));

    /// <summary>The content hash of a Hugging Face folder's weights.</summary>
    public static string HashHuggingFace(string path, CancellationToken cancellationToken) =>
        ModelContentHash.Compute(SafetensorsModel.Open(path), cancellationToken);

    /// <summary>
    /// Merges a verl shard set into the model cache and returns the folder and content hash. When a folder with
    /// the same content already exists it is reused and the fresh copy is discarded.
    /// </summary>
    public async Task<(string ModelPath, string ContentHash)> MergeAsync(string path, IProgress<MergeProgressInfo> progress, CancellationToken cancellationToken)
    {
        var forward = new SynchronousProgress<MergeProgress>(p => progress.Report(new MergeProgressInfo(p.Phase, p.TensorsDone, p.TensorsTotal, p.BytesWritten, p.BytesTotal)));
        var cached = await ModelCache.MergeIntoAsync(path, ModelCacheDirectory, forward, cancellationToken);
        return (cached.Folder, cached.Result.ContentHash);
    }

    /// <summary>
    /// "value model: it scores, it does not generate (...)" when validation found a critic's value head: such a checkpoint
    /// validates (and may be merged), but an evaluation run needs a model that generates. Null otherwise.
    /// </summary>
    public static string? ValueModelRefusal(CheckpointStatus checkpoint) =>
        checkpoint.Validation?.Issues.FirstOrDefault(i => i.Code == ValueModel.IssueCode)?.Message;

    /// <summary>The library's report as the contract record grains persist and send.</summary>
    public static CheckpointValidation ToContract(ValidationReport report) => new(
        report.Status.ToString().ToLowerInvariant(),
        report.Kind switch
        {
            CheckpointKind.HuggingFace => "hugging-face",
            CheckpointKind.VerlShardSet => "verl-shards",
            CheckpointKind.LoraAdapter => "lora-adapter",
            CheckpointKind.MegatronDistCkpt => "megatron-dist-ckpt",
            _ => "verl-run",
        },
        report.WorldSize,
        report.FsdpVersion,
        report.Tensors.Count,
        report.Issues.Select(i => new CheckpointIssue(i.Severity.ToString().ToLowerInvariant(), i.Code, i.Message, i.File, i.Key)).ToList());
}
