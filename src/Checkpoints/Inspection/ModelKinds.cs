using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Lora;
using VerlOrleans.Checkpoints.Megatron;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Checkpoints.Inspection;

/// <summary>Tells language models, value models (critics) and LoRA weights apart from tensor names and shapes.</summary>
public static class ModelKinds
{
    /// <summary>The model a discovered checkpoint holds; never throws (an unreadable file gives kind <c>unreadable</c>).</summary>
    public static InspectedModel Describe(DiscoveredCheckpoint checkpoint)
    {
        try
        {
            switch (checkpoint.Kind)
            {
                case CheckpointKind.HuggingFace:
                    return Of(checkpoint.Path, SafetensorsModel.Open(checkpoint.Path).Tensors.Values.Select(t => (t.Name, t.Shape)));
                case CheckpointKind.VerlShardSet:
                    var rank0 = VerlShardSet.Read(checkpoint.Path).RankFiles.FirstOrDefault(f => f.Rank == 0)
                        ?? throw new CheckpointFormatException(checkpoint.Path, "no rank 0 shard");
                    return Of(checkpoint.Path, TorchSaveFile.Open(rank0.Path).Entries.Select(e => (e.Key, e.Value.Shape)));
                case CheckpointKind.LoraAdapter:
                    return Adapter(checkpoint.Path);
                case CheckpointKind.MegatronDistCkpt:
                    return Megatron(checkpoint.Path);
                default:
                    return new InspectedModel(checkpoint.Path, "unreadable", $"a {checkpoint.Kind} folder holds several checkpoints");
            }
        }
        catch (Exception e) when (e is CheckpointFormatException or IOException or UnauthorizedAccessException)
        {
            return new InspectedModel(checkpoint.Path, "unreadable", e.Message);
        }
    }

    /// <summary>The model a set of tensors (state-dict keys or Hugging Face names) makes.</summary>
    public static InspectedModel Of(string path, IEnumerable<(string Name, IReadOnlyList<long> Shape)> tensors)
    {
        var list = tensors.ToList();
        if (ValueModel.Detect(list) is { } head)
        {
            return new InspectedModel(path, "value-model", ValueModel.Message(head));
        }

        var loraA = list.Where(t => PeftKey.Parse(t.Name).Kind == PeftKeyKind.LoraA).ToList();
        if (loraA.Count > 0)
        {
            var ranks = string.Join("/", loraA.Select(t => t.Shape.Count > 0 ? t.Shape[0] : 0).Distinct());
            var modules = string.Join(", ", loraA.Select(t => PeftKey.Parse(t.Name).Module).Select(m => m[(m.LastIndexOf('.') + 1)..]).Distinct(StringComparer.Ordinal));
            var onlyLora = list.All(t => PeftKey.Parse(t.Name).Kind is PeftKeyKind.LoraA or PeftKeyKind.LoraB);
            return new InspectedModel(path, "peft-lora", onlyLora
                ? $"LoRA weights only (rank {ranks}) on {loraA.Count} modules ({modules}): an adapter, or shards saved with save_lora_only; merging needs the base"
                : $"PEFT-wrapped model with LoRA (rank {ranks}) on {loraA.Count} modules ({modules}): merge applies W + (alpha/r)·B·A");
        }

        var lmHead = list.FirstOrDefault(t => t.Name is "lm_head.weight" or "base_model.model.lm_head.weight");
        return new InspectedModel(path, "causal-lm", lmHead.Name is null
            ? "language model (no lm_head.weight: tied to the embedding)"
            : $"language model (lm_head.weight [{string.Join(", ", lmHead.Shape)}])");
    }

    /// <summary>From the .metadata alone: Megatron names, with the embedding and output layer under their Hugging Face names.</summary>
    private static InspectedModel Megatron(string path)
    {
        var folder = MegatronCheckpointFolder.Find(path) ?? throw new CheckpointFormatException(path, "no Megatron dist_ckpt folder");
        var tensors = folder.IsPerRank ? PerRankTensors(folder) : DcpMetadataReader.Read(folder.DistCkpt).Tensors.Where(t => MegatronNameMap.IsModelKey(t.Key)).ToList();
        if (tensors.FirstOrDefault(t => t.Key == "output_layer.weight") is { Size: [1, var hidden] })
        {
            return new InspectedModel(path, "value-model", ValueModel.Message(new ValueHead("score", $"Megatron output_layer.weight [1, {hidden}]: verl's critic head, merged as score.weight")));
        }

        var model = Of(path, tensors.Select(t => (t.Key switch
        {
            "output_layer.weight" => "lm_head.weight",
            "embedding.word_embeddings.weight" => "model.embed_tokens.weight",
            _ => t.Key,
        }, (IReadOnlyList<long>)t.Size)));
        return model with { Description = $"Megatron {(folder.IsPerRank ? "per-rank checkpoint" : "dist_ckpt")} ({folder.Layout}): {model.Description}" };
    }

    /// <summary>The model keys of the TP rank 0 files (local shapes: enough to tell a value head from a vocabulary).</summary>
    private static List<DcpTensorEntry> PerRankTensors(MegatronCheckpointFolder folder) =>
        Directory.EnumerateDirectories(folder.DistCkpt, "mp_rank_00*").Order(StringComparer.Ordinal)
            .Select(d => Path.Combine(d, MegatronRankFolders.FileName)).Where(File.Exists)
            .SelectMany(f => TorchSaveFile.Open(f, "model", TorchSave.Pickle.PickleAllowlist.MegatronLegacy).Entries)
            .Where(e => MegatronNameMap.IsModelKey(e.Key) && e.Value.DType is not null)
            .Select(e => new DcpTensorEntry(e.Key, e.Value.DType!.Value, e.Value.Shape.ToArray(), []))
            .ToList();

    private static InspectedModel Adapter(string path)
    {
        var folder = LoraAdapterFolder.Find(path) ?? path;
        var config = LoraAdapterConfig.Load(Path.Combine(folder, LoraAdapterConfig.FileName));
        var alpha = config.LoraAlpha is { } a ? a.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "unset";
        var warning = config.LoraAlpha == 0 ? " (lora_alpha 0: verl's merger bug; merge with --lora-alpha)" : string.Empty;
        return new InspectedModel(path, "lora-adapter",
            $"LoRA adapter r {config.R?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unset"}, lora_alpha {alpha}{(config.UseRslora ? ", use_rslora" : string.Empty)}, "
            + $"target_modules {config.TargetModules?.Text ?? "unset"}, base {config.BaseModelNameOrPath ?? "unset"}{warning}");
    }
}
