using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Checkpoints.Validation;

/// <summary>
/// Validates a checkpoint folder before any merge: for verl shard sets every rank file is present and parses,
/// world sizes agree (names, fsdp_config.json, DTensor meshes), key sets and placements agree, shards
/// reassemble to their global shapes, replicated plain tensors are told apart from legacy dim-0 shards, and
/// shapes match <c>huggingface/config.json</c>; Hugging Face folders get the config and side-file checks. LoRA
/// weights (PEFT-wrapped shards, or a PEFT adapter over a base) are checked against their base
/// (<see cref="LoraValidation"/>), and value models (critics) are recognised (<see cref="ValueModel"/>).
/// </summary>
public static class CheckpointValidator
{
    public static ValidationReport Validate(string path, ValidationOptions? options = null, CancellationToken cancellationToken = default) =>
        Analyze(path, options ?? new ValidationOptions(), cancellationToken).Report;

    /// <summary>The report plus, when the checkpoint is a valid shard set, the merge plan it implies.</summary>
    public static (ValidationReport Report, MergePlan? Plan) Analyze(string path, ValidationOptions options, CancellationToken cancellationToken = default)
    {
        var issues = new IssueList();
        CheckpointDiscoveryResult found;
        try
        {
            found = CheckpointDiscovery.Discover(path);
        }
        catch (CheckpointFormatException e)
        {
            issues.Unparseable(e.Message, e.FilePath);
            return (Report(Path.GetFullPath(path), CheckpointKind.VerlShardSet, issues, null, null, null, []), null);
        }

        switch (found.Kind)
        {
            case CheckpointKind.HuggingFace:
                return (ValidateHuggingFace(found.Path, issues, options), null);
            case CheckpointKind.LoraAdapter:
                return LoraValidation.ValidateAdapter(found.Path, issues, options, cancellationToken);
            case CheckpointKind.MegatronDistCkpt:
                return Megatron.MegatronValidation.Validate(Megatron.MegatronCheckpointFolder.Find(found.Path)!, issues, options, cancellationToken);
            case CheckpointKind.VerlRun:
                issues.Unparseable(
                    $"a run folder with {found.Checkpoints.Count} checkpoints; validate one of them: {string.Join(", ", found.Checkpoints.Select(c => c.Path))}", found.Path);
                return (Report(found.Path, CheckpointKind.VerlRun, issues, null, null, null, []), null);
            default:
                return ValidateShardSet(found.Path, issues, options, cancellationToken);
        }
    }

    private static (ValidationReport, MergePlan?) ValidateShardSet(string folder, IssueList issues, ValidationOptions options, CancellationToken cancellationToken)
    {
        var set = VerlShardSet.Read(folder);
        var worldSize = RankLayout.Check(set, issues);
        if (worldSize is null || issues.HasErrors)
        {
            return (Report(folder, CheckpointKind.VerlShardSet, issues, worldSize, set.FsdpConfig?.FsdpVersion, null, []), null);
        }

        var w = worldSize.Value;
        var paths = Enumerable.Range(0, w).Select(r => set.RankFiles.First(f => f.WorldSize == w && f.Rank == r).Path).ToList();
        var files = new List<TorchSaveFile>(w);
        foreach (var path in paths)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                files.Add(TorchSaveFile.Open(path));
            }
            catch (CheckpointFormatException e)
            {
                issues.Unparseable(e.Message, path);
            }
            catch (IOException e)
            {
                issues.Unparseable($"{path}: {e.Message}", path);
            }
        }

        var config = HuggingFaceSideFiles.Check(set.HuggingFaceFolder, issues);
        if (issues.Unreadable)
        {
            return (Report(folder, CheckpointKind.VerlShardSet, issues, w, set.FsdpConfig?.FsdpVersion, null, []), null);
        }

        var mesh = CheckMeshes(files, w, issues);
        var keys = CheckKeySets(files, issues);
        if (issues.HasErrors)
        {
            return (Report(folder, CheckpointKind.VerlShardSet, issues, w, set.FsdpConfig?.FsdpVersion, mesh, []), null);
        }

        using var handles = new FileHandleCache();
        var builder = new TensorAssemblyBuilder(issues, paths, handles);
        var lookup = files.Select(f => f.Entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal)).ToList();
        var assemblies = new List<TensorAssembly>(keys.Count);
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var assembly = builder.Build(key, lookup.Select(l => l[key]).ToList());
            if (assembly is not null)
            {
                assemblies.Add(assembly);
            }
        }

        var outputs = LoraValidation.PlanShardSet(folder, assemblies, config, options.Lora, issues, paths[0]);
        var tensors = (IReadOnlyList<PlannedTensor>?)outputs ?? assemblies;
        if (config is not null)
        {
            ConfigShapes.Check(config, tensors.Select(a => (a.Name, (IReadOnlyList<long>)a.Shape)).ToList(), Path.Combine(set.HuggingFaceFolder, "config.json"), issues);
        }

        foreach (var legacy in tensors.Where(a => a.Layout.Contains("legacy", StringComparison.Ordinal)))
        {
            if (config is null || HfParameterShapes.Expected(config, legacy.Name) is null)
            {
                issues.Warning("legacy-shards-unchecked", $"plain tensors differ across ranks and were taken as dim-0 shards [{string.Join(", ", legacy.Shape)}], but config.json does not fix this parameter's shape to confirm it", paths[0], legacy.Name);
            }
        }

        return Finish(folder, CheckpointKind.VerlShardSet, issues, options, tensors, handles, outputs is null ? null : config, set.HuggingFaceFolder, paths[0], cancellationToken,
            w, set.FsdpConfig?.FsdpVersion, mesh);
    }

    /// <summary>Value-model detection, the optional non-finite scan, the report, and the plan when everything is valid.</summary>
    internal static (ValidationReport, MergePlan?) Finish(
        string folder, CheckpointKind kind, IssueList issues, ValidationOptions options, IReadOnlyList<PlannedTensor> tensors, FileHandleCache handles,
        HfModelConfig? config, string huggingFaceFolder, string file, CancellationToken cancellationToken, int? worldSize = null, int? fsdpVersion = null, string? mesh = null)
    {
        var valueHead = ValueModel.Detect(tensors.Select(t => (t.Name, (IReadOnlyList<long>)t.Shape)));
        if (valueHead is not null)
        {
            issues.Info(ValueModel.IssueCode, ValueModel.Message(valueHead), file);
        }

        var nonFinite = options.ScanNonFinite && !issues.HasErrors ? NonFiniteScan.Run(tensors, handles, file, issues, cancellationToken) : null;
        var reports = tensors.Select(a => new TensorReport(a.Name, a.SourceDType.SafetensorsName(), a.Shape, a.Layout, nonFinite?.GetValueOrDefault(a.Name))).ToList();
        var report = Report(folder, kind, issues, worldSize, fsdpVersion, mesh, reports);
        return (report, report.IsValid && config is not null ? new MergePlan(folder, huggingFaceFolder, config, tensors, valueHead, []) : null);
    }

    private static string? CheckMeshes(List<TorchSaveFile> files, int worldSize, IssueList issues)
    {
        DeviceMeshInfo? mesh = null;
        for (var r = 0; r < files.Count; r++)
        {
            foreach (var (key, value) in files[r].Entries)
            {
                if (value is not DTensorValue dtensor)
                {
                    continue;
                }

                if (mesh is null)
                {
                    mesh = dtensor.Mesh;
                    if (mesh.Ranks.Count != worldSize || !mesh.Ranks.Order().SequenceEqual(Enumerable.Range(0, worldSize)))
                    {
                        issues.Error("world-size-mismatch", $"the DTensor {mesh} spans ranks [{string.Join(", ", mesh.Ranks)}], not 0..{worldSize - 1}", files[r].Path, key);
                        return mesh.ToString();
                    }
                }
                else if (!dtensor.Mesh.SameAs(mesh))
                {
                    issues.Error("mesh-mismatch", $"DTensor {dtensor.Mesh} differs from {mesh}", files[r].Path, key);
                    return mesh.ToString();
                }
            }
        }

        if (mesh is { Shape.Count: 2 })
        {
            issues.Info("hsdp", $"HSDP {mesh}: the shards of replica group 0 are merged (the other replicas hold copies)");
        }

        return mesh?.ToString();
    }

    private static List<string> CheckKeySets(List<TorchSaveFile> files, IssueList issues)
    {
        var keys = files[0].Entries.Select(e => e.Key).ToList();
        var reference = keys.ToHashSet(StringComparer.Ordinal);
        for (var r = 1; r < files.Count; r++)
        {
            var other = files[r].Entries.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var missing in keys.Where(k => !other.Contains(k)))
            {
                issues.Error("key-set-mismatch", $"rank {r} lacks a key rank 0 has", files[r].Path, missing);
            }

            foreach (var extra in files[r].Entries.Select(e => e.Key).Where(k => !reference.Contains(k)))
            {
                issues.Error("key-set-mismatch", $"rank {r} has a key rank 0 lacks", files[r].Path, extra);
            }
        }

        return keys;
    }

    private static ValidationReport ValidateHuggingFace(string folder, IssueList issues, ValidationOptions options)
    {
        SafetensorsModel? model = null;
        try
        {
            model = SafetensorsModel.Open(folder);
        }
        catch (CheckpointFormatException e)
        {
            issues.Unparseable(e.Message, e.FilePath);
        }

        var config = HuggingFaceSideFiles.Check(folder, issues);
        var tensors = new List<TensorReport>();
        if (model is not null)
        {
            if (config is not null)
            {
                ConfigShapes.Check(config, model.Tensors.Values.Select(t => (t.Name, t.Shape)).ToList(), Path.Combine(folder, "config.json"), issues);
            }

            foreach (var tensor in model.Tensors.Values)
            {
                long? nonFinite = null;
                if (options.ScanNonFinite)
                {
                    nonFinite = NonFiniteScan.Count(tensor);
                    if (nonFinite > 0)
                    {
                        issues.Error("non-finite", $"{nonFinite} NaN/Inf values", tensor.FilePath, tensor.Name);
                    }
                }

                tensors.Add(new TensorReport(tensor.Name, tensor.DType.SafetensorsName(), tensor.Shape, "safetensors", nonFinite));
            }

            if (ValueModel.Detect(model.Tensors.Values.Select(t => (t.Name, t.Shape))) is { } valueHead)
            {
                issues.Info(ValueModel.IssueCode, ValueModel.Message(valueHead), folder);
            }
        }

        return Report(folder, CheckpointKind.HuggingFace, issues, null, null, null, tensors);
    }

    internal static ValidationReport Report(string path, CheckpointKind kind, IssueList issues, int? worldSize, int? fsdpVersion, string? mesh, IReadOnlyList<TensorReport> tensors) =>
        new(path, kind, issues.Status, worldSize, fsdpVersion, mesh, issues.Sorted(), tensors);
}
