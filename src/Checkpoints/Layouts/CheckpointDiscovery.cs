using System.Globalization;
using System.Text.RegularExpressions;
using VerlOrleans.Checkpoints.Lora;
using VerlOrleans.Checkpoints.Megatron;
using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.Layouts;

/// <summary>What a folder holds.</summary>
public enum CheckpointKind
{
    /// <summary>A Hugging Face model folder with safetensors weights.</summary>
    HuggingFace,

    /// <summary>A verl actor/critic folder of per-rank <c>model_world_size_W_rank_R.pt</c> shards.</summary>
    VerlShardSet,

    /// <summary>
    /// A PEFT LoRA adapter (<c>adapter_config.json</c> + <c>adapter_model.safetensors</c>) over a base model: an adapter
    /// folder, or an actor folder whose only weights are its <c>lora_adapter/</c>. (Shards of a PEFT-wrapped model are a
    /// <see cref="VerlShardSet"/>; their LoRA weights are found when they are validated.)
    /// </summary>
    LoraAdapter,

    /// <summary>
    /// A verl Megatron actor/critic folder whose model is a torch.distributed.checkpoint (<c>dist_ckpt/</c>, or
    /// <c>model/dist_ckpt/</c> in layout v2) with <c>huggingface/</c> beside it.
    /// </summary>
    MegatronDistCkpt,

    /// <summary>A verl run folder (<c>global_step_N/actor</c>, <c>latest_checkpointed_iteration.txt</c>), or one <c>global_step_N</c>.</summary>
    VerlRun,
}

/// <summary>One checkpoint found by <see cref="CheckpointDiscovery"/>.</summary>
/// <param name="Kind"><see cref="CheckpointKind.HuggingFace"/>, <see cref="CheckpointKind.VerlShardSet"/> or <see cref="CheckpointKind.LoraAdapter"/>.</param>
/// <param name="Path">The folder to validate or merge.</param>
/// <param name="Step">The training step from a <c>global_step_N</c> folder name, when there is one.</param>
/// <param name="Role"><c>actor</c>, <c>critic</c> (the shard folder's name), or null for a Hugging Face folder.</param>
/// <param name="IsLatest">True for the step <c>latest_checkpointed_iteration.txt</c> names.</param>
public sealed record DiscoveredCheckpoint(CheckpointKind Kind, string Path, long? Step, string? Role, bool IsLatest);

/// <summary>The result of looking at a folder: its kind and the checkpoints in it, ordered by step.</summary>
public sealed record CheckpointDiscoveryResult(CheckpointKind Kind, string Path, IReadOnlyList<DiscoveredCheckpoint> Checkpoints, long? LatestStep);

/// <summary>Recognises Hugging Face folders, verl shard folders (actor or critic), Megatron dist_ckpt folders, LoRA adapters and verl run folders.</summary>
public static partial class CheckpointDiscovery
{
    public const string LatestStepFileName = "latest_checkpointed_iteration.txt";

    /// <summary>Classifies <paramref name="path"/>; throws <see cref="CheckpointFormatException"/> when it is none of the known layouts.</summary>
    public static CheckpointDiscoveryResult Discover(string path)
    {
        var folder = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(folder))
        {
            throw new CheckpointFormatException(folder, "no such folder");
        }

        if (VerlShardSet.LooksLikeShardSet(folder))
        {
            var step = StepOf(System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(folder)));
            return new CheckpointDiscoveryResult(CheckpointKind.VerlShardSet, folder,
                [new DiscoveredCheckpoint(CheckpointKind.VerlShardSet, folder, step, System.IO.Path.GetFileName(folder), false)], null);
        }

        if (MegatronCheckpointFolder.Find(folder) is { } megatron)
        {
            var role = megatron.Folder;
            return new CheckpointDiscoveryResult(CheckpointKind.MegatronDistCkpt, role,
                [new DiscoveredCheckpoint(CheckpointKind.MegatronDistCkpt, role, StepOf(System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(role))), System.IO.Path.GetFileName(role), false)], null);
        }

        if (LoraAdapterFolder.Find(folder) is not null && !IsHuggingFace(folder))
        {
            // An actor folder holding lora_adapter/, or lora_adapter/ itself (its actor is the parent), or a lone adapter.
            var actor = LoraAdapterFolder.IsAdapter(folder) ? LoraAdapterFolder.ActorOf(folder) : folder;
            var step = actor is null ? null : StepOf(System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(actor)));
            var role = actor is null ? null : System.IO.Path.GetFileName(actor);
            return new CheckpointDiscoveryResult(CheckpointKind.LoraAdapter, folder,
                [new DiscoveredCheckpoint(CheckpointKind.LoraAdapter, folder, step, role, false)], null);
        }

        if (IsHuggingFace(folder))
        {
            return new CheckpointDiscoveryResult(CheckpointKind.HuggingFace, folder,
                [new DiscoveredCheckpoint(CheckpointKind.HuggingFace, folder, null, null, false)], null);
        }

        var latest = ReadLatestStep(folder);
        var stepFolders = StepOf(System.IO.Path.GetFileName(folder)) is not null
            ? [folder]
            : Directory.EnumerateDirectories(folder).Where(d => StepOf(System.IO.Path.GetFileName(d)) is not null).ToList();
        var found = new List<DiscoveredCheckpoint>();
        foreach (var stepFolder in stepFolders)
        {
            var step = StepOf(System.IO.Path.GetFileName(stepFolder))!.Value;
            foreach (var role in Directory.EnumerateDirectories(stepFolder).Order(StringComparer.Ordinal))
            {
                if (VerlShardSet.LooksLikeShardSet(role))
                {
                    found.Add(new DiscoveredCheckpoint(CheckpointKind.VerlShardSet, role, step, System.IO.Path.GetFileName(role), step == latest));
                }
                else if (MegatronCheckpointFolder.Find(role) is not null)
                {
                    found.Add(new DiscoveredCheckpoint(CheckpointKind.MegatronDistCkpt, role, step, System.IO.Path.GetFileName(role), step == latest));
                }
                else if (LoraAdapterFolder.Find(role) is not null && !IsHuggingFace(role))
                {
                    found.Add(new DiscoveredCheckpoint(CheckpointKind.LoraAdapter, role, step, System.IO.Path.GetFileName(role), step == latest));
                }
                else if (IsHuggingFace(role))
                {
                    found.Add(new DiscoveredCheckpoint(CheckpointKind.HuggingFace, role, step, System.IO.Path.GetFileName(role), step == latest));
                }
            }
        }

        if (found.Count == 0)
        {
            throw new CheckpointFormatException(folder,
                "not a checkpoint: no model_world_size_W_rank_R.pt files, no Megatron dist_ckpt/ (.metadata + .distcp), no Hugging Face config.json with safetensors, no LoRA adapter (adapter_config.json + adapter_model.safetensors, or lora_adapter/), and no global_step_N/<role> folders holding any of these");
        }

        found.Sort((a, b) => a.Step != b.Step ? Nullable.Compare(a.Step, b.Step) : string.CompareOrdinal(a.Role, b.Role));
        return new CheckpointDiscoveryResult(CheckpointKind.VerlRun, folder, found, latest);
    }

    /// <summary>The N of a <c>global_step_N</c> folder name, or null.</summary>
    public static long? StepOf(string? folderName)
    {
        var match = folderName is null ? Match.Empty : GlobalStep().Match(folderName);
        return match.Success && long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var step) ? step : null;
    }

    private static bool IsHuggingFace(string folder) =>
        File.Exists(System.IO.Path.Combine(folder, "config.json"))
        && (File.Exists(System.IO.Path.Combine(folder, SafetensorsModel.IndexFileName)) || File.Exists(System.IO.Path.Combine(folder, SafetensorsModel.SingleFileName)));

    private static long? ReadLatestStep(string folder)
    {
        var file = System.IO.Path.Combine(folder, LatestStepFileName);
        if (!File.Exists(file) || new FileInfo(file).Length > 64)
        {
            return null;
        }

        return long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var step) ? step : null;
    }

    [GeneratedRegex(@"^global_step_(\d{1,18})$")]
    private static partial Regex GlobalStep();
}
