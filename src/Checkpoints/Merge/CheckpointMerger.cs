using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.Validation;

namespace VerlOrleans.Checkpoints.Merge;

/// <summary>
/// Merges a validated verl shard set (or a LoRA adapter over its base) into a Hugging Face folder, tensor by tensor:
/// each output tensor is streamed from the ranks' storage ranges (LoRA-targeted weights through the float32 merge)
/// through the dtype conversion into incrementally written safetensors shards, so memory stays at a few chunk
/// buffers whatever the model size. Everything is written
/// into a hidden sibling folder that is renamed to the target only when complete (and verified, if asked):
/// an interrupted or failed merge never leaves a folder that looks like a model.
/// </summary>
public static class CheckpointMerger
{
    private static readonly string[] WeightFilePatterns = ["*.safetensors", "*.bin", "*.pt", "*.pth", SafetensorsModel.IndexFileName, "pytorch_model.bin.index.json"];

    public static Task<MergeResult> MergeAsync(string source, MergeOptions options, IProgress<MergeProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Merge(source, options, progress, cancellationToken), cancellationToken);

    public static MergeResult Merge(string source, MergeOptions options, IProgress<MergeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var target = Path.GetFullPath(options.TargetDir);
        CheckTarget(target);
        progress?.Report(new MergeProgress("validating", 0, 0, 0, 0, null));
        var (report, plan) = CheckpointValidator.Analyze(source, new ValidationOptions { Lora = options.Lora }, cancellationToken);
        if (plan is null)
        {
            var reason = report.Errors.FirstOrDefault()?.ToString() ?? $"{report.Path} is a {report.Kind} folder, not a verl shard set to merge";
            throw new CheckpointMergeException($"not merged: {reason}", report);
        }

        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            using var handles = new FileHandleCache();
            var notes = new List<string>(plan.Notes);
            var dropped = DropTiedHead(plan, handles, notes);
            var tensors = plan.Tensors.Where(t => !dropped.Contains(t.Name)).ToList();
            var entries = tensors.Select(t => new SafetensorsEntry(t.Name, DTypeConversion.OutputType(t.SourceDType, options.DType), t.Shape)).ToList();
            var shards = SafetensorsShardPlan.Split(entries, options.MaxShardBytes);
            var hash = WriteShards(staging, shards, tensors, handles, options, progress, cancellationToken);
            if (shards.Count > 1)
            {
                File.WriteAllText(Path.Combine(staging, SafetensorsModel.IndexFileName), SafetensorsShardPlan.IndexJson(shards));
            }

            WriteConfig(plan, staging, options.DType ?? entries.Select(e => e.DType).FirstOrDefault(d => d.IsFloatingPoint(), TensorDType.F32), notes);
            CopySideFiles(plan.HuggingFaceFolder, staging);
            VerificationReport? verification = null;
            if (options.VerifyAgainst is { } reference)
            {
                progress?.Report(new MergeProgress("verifying", tensors.Count, tensors.Count, entries.Sum(e => e.ByteLength), entries.Sum(e => e.ByteLength), null));
                verification = ModelComparison.Compare(SafetensorsModel.Open(staging), SafetensorsModel.Open(reference), reference, cancellationToken);
                if (!verification.Passed)
                {
                    throw new CheckpointMergeException($"not merged: the result differs from {reference}: {Describe(verification)}", report, verification);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            Publish(staging, target);
            progress?.Report(new MergeProgress("done", tensors.Count, tensors.Count, entries.Sum(e => e.ByteLength), entries.Sum(e => e.ByteLength), null));
            var files = Directory.EnumerateFiles(target).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            return new MergeResult(target, hash, tensors.Count, entries.Sum(e => e.ByteLength), files!, dropped.Order(StringComparer.Ordinal).ToList(), notes, report, verification, stopwatch.Elapsed);
        }
        catch
        {
            TryDelete(staging);
            throw;
        }
    }

    private static void CheckTarget(string target)
    {
        if (File.Exists(target))
        {
            throw new CheckpointMergeException($"not merged: target {target} is a file");
        }

        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new CheckpointMergeException($"not merged: target {target} already exists and is not empty");
        }
    }

    /// <summary>Tied embeddings: lm_head.weight is an alias of the embedding; drop it when the two are equal (verl's drop_tied_target_keys).</summary>
    private static HashSet<string> DropTiedHead(MergePlan plan, FileHandleCache handles, List<string> notes)
    {
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        var head = plan.Tensors.FirstOrDefault(t => t.Name == "lm_head.weight");
        var embedding = plan.Tensors.FirstOrDefault(t => t.Name == "model.embed_tokens.weight");
        if (!plan.Config.TieWordEmbeddings || head is null || embedding is null)
        {
            return dropped;
        }

        if (head.DType == embedding.DType && head.Shape.SequenceEqual(embedding.Shape)
            && TensorComparison.SameStream(head.Open(handles), embedding.Open(handles)))
        {
            dropped.Add(head.Name);
        }
        else
        {
            notes.Add("tie_word_embeddings is true but lm_head.weight differs from model.embed_tokens.weight: kept both");
        }

        return dropped;
    }

    private static string WriteShards(string folder, IReadOnlyList<SafetensorsShard> shards, List<PlannedTensor> tensors, FileHandleCache handles, MergeOptions options, IProgress<MergeProgress>? progress, CancellationToken cancellationToken)
    {
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var hash = new ModelContentHash();
        var total = shards.Sum(s => s.ByteLength);
        long written = 0;
        var done = 0;
        var input = new byte[Math.Max(options.ChunkBytes, 64)];
        var output = new byte[input.Length * 2];
        foreach (var shard in shards)
        {
            using var writer = SafetensorsWriter.Create(Path.Combine(folder, shard.FileName), shard.Entries);
            foreach (var entry in shard.Entries)
            {
                var tensor = byName[entry.Name];
                progress?.Report(new MergeProgress("writing", done, tensors.Count, written, total, entry.Name));
                var reader = tensor.Open(handles);
                using var digest = ModelContentHash.Begin();
                var inItem = tensor.DType.ItemSize();
                var outItem = entry.DType.ItemSize();
                int read;
                while ((read = reader.Read(input.AsSpan(0, input.Length / inItem * inItem))) > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var converted = output.AsSpan(0, read / inItem * outItem);
                    DTypeConversion.Convert(tensor.DType, input.AsSpan(0, read), entry.DType, converted);
                    writer.Append(converted);
                    digest.AppendData(converted);
                    written += converted.Length;
                }

                hash.Add(entry.Name, entry.DType, entry.Shape, digest);
                done++;
            }

            writer.Complete();
        }

        return hash.Finish();
    }

    private static void WriteConfig(MergePlan plan, string folder, TensorDType dtype, List<string> notes)
    {
        var config = (JsonObject)plan.Config.Root.DeepClone();
        if (plan.ValueHead is { Kind: "score" })
        {
            ValueHeadConfig.Apply(config, notes);
        }

        var name = dtype.TorchName();
        var hasNew = config.ContainsKey("dtype");
        if (config.ContainsKey("torch_dtype") || !hasNew)
        {
            config["torch_dtype"] = name;
        }

        if (hasNew)
        {
            config["dtype"] = name;
        }

        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static void CopySideFiles(string huggingFace, string folder)
    {
        if (!Directory.Exists(huggingFace))
        {
            return;
        }

        var weights = WeightFilePatterns.SelectMany(p => Directory.EnumerateFiles(huggingFace, p)).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(huggingFace))
        {
            var name = Path.GetFileName(file);
            if (name != "config.json" && !weights.Contains(file))
            {
                File.Copy(file, Path.Combine(folder, name));
            }
        }
    }

    private static void Publish(string staging, string target)
    {
        if (Directory.Exists(target))
        {
            Directory.Delete(target); // empty (checked up front); a non-empty target is never replaced
        }

        Directory.Move(staging, target);
    }

    private static string Describe(VerificationReport verification)
    {
        var parts = new List<string>();
        if (verification.MissingKeys.Count > 0)
        {
            parts.Add($"missing keys {string.Join(", ", verification.MissingKeys)}");
        }

        if (verification.ExtraKeys.Count > 0)
        {
            parts.Add($"extra keys {string.Join(", ", verification.ExtraKeys)}");
        }

        parts.AddRange(verification.Mismatches.Select(m => $"'{m.Key}': {m.Problem}"));
        return string.Join("; ", parts);
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a hidden .partial folder never looks like a finished model.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
