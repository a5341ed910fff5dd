using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;
using VerlOrleans.Checkpoints.Validation;

namespace VerlOrleans.Checkpoints.Megatron;

/// <summary>
/// Validates a verl Megatron checkpoint (torch.distributed.checkpoint <c>dist_ckpt</c>) before any merge: the
/// <c>.metadata</c> parses under the DCP allowlist; every model tensor's chunks tile its global shape and each has a
/// storage entry; every <c>.distcp</c> file named exists and holds the byte ranges; each item is a torch.save of a
/// contiguous tensor with the chunk's dtype and shape; every key maps to Hugging Face names; and the mapped shapes
/// match <c>huggingface/config.json</c>. The plan streams each Hugging Face tensor from the chunks.
/// </summary>
internal static class MegatronValidation
{
    public static (ValidationReport, MergePlan?) Validate(MegatronCheckpointFolder layout, IssueList issues, ValidationOptions options, CancellationToken cancellationToken)
    {
        if (layout.IsPerRank)
        {
            return MegatronPerRankValidation.Validate(layout, issues, options, cancellationToken);
        }

        var folder = layout.Folder;
        var config = HuggingFaceSideFiles.Check(layout.HuggingFace, issues);
        DcpMetadata metadata;
        try
        {
            metadata = DcpMetadataReader.Read(layout.DistCkpt);
        }
        catch (CheckpointFormatException e)
        {
            issues.Unparseable(e.Message, e.FilePath);
            return (CheckpointValidator.Report(folder, CheckpointKind.MegatronDistCkpt, issues, null, null, null, []), null);
        }

        var model = metadata.Tensors.Where(t => MegatronNameMap.IsModelKey(t.Key)).ToList();
        var ignored = metadata.Tensors.Count - model.Count + metadata.ByteEntries.Count;
        issues.Info("megatron-dist-ckpt", $"Megatron torch_dist checkpoint ({layout.Layout}): {model.Count} model tensors; {ignored} other entries (optimizer, RNG, TE _extra_state) are not merged", metadata.Path);
        foreach (var (key, dtype) in metadata.UndecodableTensors.Where(u => MegatronNameMap.IsModelKey(u.Key)))
        {
            issues.Error("unsupported-dtype", $"dtype torch.{dtype} cannot be merged", metadata.Path, key);
        }

        if (model.Count == 0)
        {
            issues.Error("no-model-tensors", "the distributed checkpoint holds no model tensors (embedding.*, decoder.*, output_layer.*)", metadata.Path);
        }

        CheckChunks(layout.DistCkpt, metadata, model, issues);
        if (issues.HasErrors || config is null)
        {
            return (CheckpointValidator.Report(folder, CheckpointKind.MegatronDistCkpt, issues, null, null, null, []), null);
        }

        using var handles = new FileHandleCache();
        var items = ReadItems(layout.DistCkpt, model, handles, issues, cancellationToken);
        if (issues.HasErrors)
        {
            return (CheckpointValidator.Report(folder, CheckpointKind.MegatronDistCkpt, issues, null, null, null, []), null);
        }

        var tensors = Plan(model, items, config, metadata.Path, issues);
        ConfigShapes.Check(config, tensors.Select(t => (t.Name, (IReadOnlyList<long>)t.Shape)).ToList(), Path.Combine(layout.HuggingFace, "config.json"), issues);
        return CheckpointValidator.Finish(folder, CheckpointKind.MegatronDistCkpt, issues, options, tensors, handles, config, layout.HuggingFace, metadata.Path, cancellationToken);
    }

    private static void CheckChunks(string distCkpt, DcpMetadata metadata, List<DcpTensorEntry> model, IssueList issues)
    {
        var fileLengths = new Dictionary<string, long?>(StringComparer.Ordinal);
        foreach (var entry in model)
        {
            if (DcpCoverage.Check(entry) is { } problem)
            {
                issues.Error("chunk-coverage", problem, metadata.Path, entry.Key);
            }

            foreach (var (chunk, storage) in entry.Chunks)
            {
                if (storage is null)
                {
                    issues.Error("chunk-without-storage", $"chunk {chunk} has no storage_data entry: its bytes are nowhere", metadata.Path, entry.Key);
                    continue;
                }

                if (storage.RelativePath.Length == 0 || storage.RelativePath != Path.GetFileName(storage.RelativePath) || storage.RelativePath is "." or "..")
                {
                    issues.Error("unsafe-storage-path", $"storage file '{storage.RelativePath}' is not a plain file name in the checkpoint folder", metadata.Path, entry.Key);
                    continue;
                }

                var file = Path.Combine(distCkpt, storage.RelativePath);
                if (!fileLengths.TryGetValue(storage.RelativePath, out var length))
                {
                    length = File.Exists(file) ? new FileInfo(file).Length : null;
                    fileLengths[storage.RelativePath] = length;
                    if (length is null)
                    {
                        issues.Error("missing-distcp-file", $"'{storage.RelativePath}' is missing (named by .metadata for this tensor's chunk {chunk} and possibly others)", file, entry.Key);
                    }
                }

                if (length is { } l && (storage.Offset < 0 || storage.Length <= 0 || storage.Offset > l - storage.Length))
                {
                    issues.Error("storage-out-of-bounds", $"chunk {chunk}: {storage.Length} bytes at offset {storage.Offset} do not fit the {l}-byte file (truncated?)", file, entry.Key);
                }
            }
        }
    }

    private static Dictionary<DcpChunk, TorchTensor> ReadItems(string distCkpt, List<DcpTensorEntry> model, FileHandleCache handles, IssueList issues, CancellationToken cancellationToken)
    {
        var items = new Dictionary<DcpChunk, TorchTensor>(ReferenceEqualityComparer.Instance);
        foreach (var entry in model)
        {
            foreach (var (chunk, storage) in entry.Chunks)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var file = Path.Combine(distCkpt, storage!.RelativePath);
                try
                {
                    var tensor = TorchSaveFile.OpenEmbeddedTensor(handles.Get(file), file, storage.Offset, storage.Length);
                    if (tensor.DType != entry.DType || !tensor.Shape.SequenceEqual(chunk.Sizes) || !tensor.IsContiguous)
                    {
                        issues.Error("chunk-mismatch", $"chunk {chunk} ({entry.DType.SafetensorsName()}) is stored as a {(tensor.IsContiguous ? "" : "non-contiguous ")}{tensor} at offset {storage.Offset}", file, entry.Key);
                        continue;
                    }

                    items[chunk] = tensor;
                }
                catch (CheckpointFormatException e)
                {
                    issues.Unparseable($"{entry.Key} chunk {chunk}: {e.Message}", file);
                }
            }
        }

        return items;
    }

    internal static List<PlannedTensor> Plan(List<DcpTensorEntry> model, Dictionary<DcpChunk, TorchTensor> items, HfModelConfig config, string metadataPath, IssueList issues)
    {
        var tensors = new List<(int Group, long Layer, PlannedTensor Tensor)>();
        foreach (var entry in model)
        {
            var (slices, error) = MegatronNameMap.Map(entry, config);
            if (error is not null)
            {
                issues.Error("unmapped-megatron-key", error, metadataPath, entry.Key);
                continue;
            }

            foreach (var slice in slices)
            {
                if (Build(slice, items) is not { } tensor)
                {
                    issues.Error("unsupported-chunking", "chunks split a dim after the second of the per-layer tensor; only row and column splits (TP) are supported", metadataPath, entry.Key);
                    break;
                }

                var group = slice.Name.StartsWith("model.embed_tokens", StringComparison.Ordinal) ? 0 : slice.Name.StartsWith("model.layers.", StringComparison.Ordinal) ? 1 : slice.Name.StartsWith("model.norm", StringComparison.Ordinal) ? 2 : 3;
                tensors.Add((group, HfParameterShapes.LayerIndex(slice.Name) ?? -1, tensor));
            }
        }

        foreach (var duplicate in tensors.GroupBy(t => t.Tensor.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            issues.Error("duplicate-name", "two Megatron parameters map to this Hugging Face name", metadataPath, duplicate.Key);
        }

        return tensors.OrderBy(t => t.Group).ThenBy(t => t.Layer).ThenBy(t => t.Tensor.Name, StringComparer.Ordinal).Select(t => t.Tensor).ToList();
    }

    private static MegatronTensor? Build(MegatronSlice slice, Dictionary<DcpChunk, TorchTensor> items)
    {
        var entry = slice.Source;
        var axis = slice.Layer is null ? 0 : 1;
        var perLayer = entry.Size[axis..];
        var inner = perLayer.Length > 2 ? perLayer[2..].Aggregate(1L, (a, b) => a * b) : 1;
        var columns = perLayer.Length > 1 ? perLayer[1] * inner : 1;
        var pieces = new List<MegatronPiece>();
        foreach (var (chunk, _) in entry.Chunks)
        {
            if (slice.Layer is { } layer && (layer < chunk.Offsets[0] || layer >= chunk.Offsets[0] + chunk.Sizes[0]))
            {
                continue;
            }

            for (var d = axis + 2; d < entry.Size.Length; d++)
            {
                if (chunk.Offsets[d] != 0 || chunk.Sizes[d] != entry.Size[d])
                {
                    return null;
                }
            }

            var (columnStart, columnCount) = perLayer.Length > 1 ? (chunk.Offsets[axis + 1] * inner, chunk.Sizes[axis + 1] * inner) : (0L, 1L);
            var rowCount = perLayer.Length > 0 ? chunk.Sizes[axis] : 1;
            pieces.Add(new MegatronPiece(perLayer.Length > 0 ? chunk.Offsets[axis] : 0, rowCount, columnStart, columnCount,
                slice.Layer is { } l ? l - chunk.Offsets[0] : 0, items[chunk]));
        }

        var layout = $"Megatron {entry.Key} from {pieces.Count} chunks";
        return new MegatronTensor(slice.Name, entry.DType, slice.Shape, layout, slice.Rows, columns, pieces);
    }
}
