using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Lora;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.Validation;

/// <summary>
/// The two ways verl leaves LoRA weights: (a) a PEFT adapter (<c>actor/lora_adapter/</c>, or an adapter folder given
/// directly) over a base model found elsewhere; (b) FSDP shards of the PEFT-wrapped model, whose keys carry the base
/// (<c>base_layer</c>) and the LoRA pairs (<c>lora_A.default</c>, <c>lora_B.default</c>) together, with r and alpha in
/// <c>lora_train_meta.json</c> or <c>lora_adapter/adapter_config.json</c>. Both end in <see cref="LoraPlanner"/>.
/// </summary>
internal static class LoraValidation
{
    /// <summary>
    /// Maps shard keys to Hugging Face names and plans LoRA merges for PEFT-wrapped shards (TRL value-head critics
    /// lose their <c>pretrained_model.</c> prefix); null after an error.
    /// </summary>
    public static List<PlannedTensor>? PlanShardSet(string folder, IReadOnlyList<TensorAssembly> assemblies, HfModelConfig? config, LoraOptions options, IssueList issues, string file)
    {
        if (!assemblies.Any(a => PeftKey.IsPeft(a.Name)))
        {
            var trl = assemblies.Any(a => a.Name.StartsWith("v_head.", StringComparison.Ordinal));
            return assemblies.Select(a => trl && a.Name.StartsWith(ValueModel.TrlPrefix, StringComparison.Ordinal) ? a.WithName(a.Name[ValueModel.TrlPrefix.Length..]) : a).ToList();
        }

        var (parameters, lora) = LoraPlanner.Split(assemblies, issues, file);
        if (lora.Count == 0)
        {
            return issues.HasErrors ? null : parameters;
        }

        LoraAdapterConfig? adapterConfig = null;
        LoraTrainMeta? meta;
        var adapterConfigPath = Path.Combine(folder, LoraAdapterFolder.SubfolderName, LoraAdapterConfig.FileName);
        try
        {
            adapterConfig = File.Exists(adapterConfigPath) ? LoraAdapterConfig.Load(adapterConfigPath) : null;
            meta = LoraTrainMeta.Find(folder);
        }
        catch (CheckpointFormatException e)
        {
            issues.Error("lora-config-invalid", e.Message, e.FilePath);
            return null;
        }

        foreach (var problem in adapterConfig?.Unsupported ?? [])
        {
            issues.Error("lora-unsupported", problem, adapterConfigPath);
        }

        var settings = LoraSettings.Resolve(adapterConfig, meta, options, issues, file);
        if (settings is null || issues.HasErrors)
        {
            return null;
        }

        if (parameters.Count > 0 && options.BaseModel is { } unused)
        {
            issues.Warning("lora-base-unused", $"--lora-base {unused} is not used: the shards hold the base weights (base_layer) themselves", file);
        }

        if (parameters.Count == 0)
        {
            // checkpoint.save_lora_only: the shards keep only the adapter; the base comes from elsewhere.
            var found = LoraBaseResolver.Resolve(options, adapterConfig?.BaseModelNameOrPath, Path.Combine(folder, VerlShardSet.HuggingFaceFolderName), issues, file);
            if (found is null || OpenBase(found.Value.Folder, issues) is not { } baseTensors)
            {
                return null;
            }

            issues.Info("lora-base", $"the shards hold only LoRA weights (save_lora_only); base model {found.Value.Folder} (from {found.Value.How})", file);
            parameters = baseTensors;
        }

        return LoraPlanner.Plan(parameters, lora, settings, config, issues, file);
    }

    /// <summary>Validates a PEFT adapter over its base and plans the merge.</summary>
    public static (ValidationReport, MergePlan?) ValidateAdapter(string folder, IssueList issues, ValidationOptions options, CancellationToken cancellationToken)
    {
        var adapterFolder = LoraAdapterFolder.Find(folder) ?? folder;
        var actor = LoraAdapterFolder.ActorOf(adapterFolder);
        var actorHuggingFace = actor is null ? null : Path.Combine(actor, VerlShardSet.HuggingFaceFolderName);
        var configPath = Path.Combine(adapterFolder, LoraAdapterConfig.FileName);
        LoraAdapterConfig adapterConfig;
        IReadOnlyList<PlannedTensor> adapterTensors;
        LoraTrainMeta? meta;
        string weightFile;
        try
        {
            weightFile = LoraAdapterFolder.WeightFile(adapterFolder);
            adapterConfig = LoraAdapterConfig.Load(configPath);
            adapterTensors = LoraAdapterFolder.OpenTensors(weightFile);
            meta = actor is null ? null : LoraTrainMeta.Find(actor);
        }
        catch (Exception e) when (e is CheckpointFormatException or IOException)
        {
            issues.Unparseable(e.Message, (e as CheckpointFormatException)?.FilePath ?? adapterFolder);
            return (Failed(folder, issues), null);
        }

        foreach (var problem in adapterConfig.Unsupported)
        {
            issues.Error("lora-unsupported", problem, configPath);
        }

        var (stray, lora) = LoraPlanner.Split(adapterTensors, issues, weightFile);
        foreach (var tensor in stray)
        {
            issues.Error("lora-unsupported", "a tensor that is not lora_A/lora_B (a modules_to_save copy?) is not implemented", weightFile, tensor.Name);
        }

        var settings = LoraSettings.Resolve(adapterConfig, meta, options.Lora, issues, configPath);
        var found = LoraBaseResolver.Resolve(options.Lora, adapterConfig.BaseModelNameOrPath, actorHuggingFace, issues, configPath);
        if (settings is null || found is null || issues.HasErrors)
        {
            return (Failed(folder, issues), null);
        }

        issues.Info("lora-base", $"base model {found.Value.Folder} (from {found.Value.How})", configPath);
        var sideFolder = actorHuggingFace is not null && File.Exists(Path.Combine(actorHuggingFace, "config.json")) ? actorHuggingFace : found.Value.Folder;
        var config = HuggingFaceSideFiles.Check(sideFolder, issues);
        var baseTensors = OpenBase(found.Value.Folder, issues);
        if (baseTensors is null || config is null || issues.HasErrors)
        {
            return (Failed(folder, issues), null);
        }

        var outputs = LoraPlanner.Plan(baseTensors, lora, settings, config, issues, weightFile);
        if (outputs is null)
        {
            return (Failed(folder, issues), null);
        }

        ConfigShapes.Check(config, outputs.Select(t => (t.Name, (IReadOnlyList<long>)t.Shape)).ToList(), Path.Combine(sideFolder, "config.json"), issues);
        using var handles = new FileHandleCache();
        return CheckpointValidator.Finish(folder, CheckpointKind.LoraAdapter, issues, options, outputs, handles, config, sideFolder, weightFile, cancellationToken);
    }

    /// <summary>The base's tensors under Hugging Face names; a base that itself holds LoRA weights is refused.</summary>
    private static List<PlannedTensor>? OpenBase(string folder, IssueList issues)
    {
        SafetensorsModel model;
        try
        {
            model = SafetensorsModel.Open(folder);
        }
        catch (CheckpointFormatException e)
        {
            issues.Unparseable(e.Message, e.FilePath);
            return null;
        }

        var (parameters, lora) = LoraPlanner.Split(model.Tensors.Values.Select(t => new SafetensorsTensor(t.Name, t, "base safetensors")), issues, model.Source);
        if (lora.Count > 0)
        {
            issues.Error("lora-base-has-lora",
                "the base model holds LoRA weights itself (verl issue #4761: a LoRA run's huggingface/ weights are PEFT-wrapped); give the original base with --lora-base",
                model.Source, lora[0].Name);
            return null;
        }

        return parameters;
    }

    private static ValidationReport Failed(string folder, IssueList issues) =>
        CheckpointValidator.Report(folder, CheckpointKind.LoraAdapter, issues, null, null, null, []);
}
