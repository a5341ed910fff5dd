using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.Validation;

namespace VerlOrleans.Checkpoints.Lora;

/// <summary>
/// Finds the base model LoRA weights apply to: <c>--lora-base</c>; else the adapter's <c>base_model_name_or_path</c> as a
/// local folder or a snapshot in the Hugging Face hub cache (no download); else the actor's <c>huggingface/</c> folder
/// when verl saved weights there (<c>checkpoint.save_contents</c> with <c>hf_model</c>).
/// </summary>
internal static class LoraBaseResolver
{
    public static (string Folder, string How)? Resolve(LoraOptions options, string? nameOrPath, string? actorHuggingFace, IssueList issues, string file)
    {
        if (options.BaseModel is { } given)
        {
            if (HasWeights(given))
            {
                return (Path.GetFullPath(given), "--lora-base");
            }

            issues.Error("lora-base-missing", $"--lora-base {given} is not a Hugging Face folder with {SafetensorsModel.SingleFileName} or {SafetensorsModel.IndexFileName}", given);
            return null;
        }

        var tried = new List<string>();
        if (nameOrPath is { Length: > 0 })
        {
            var cache = options.HubCache ?? DefaultHubCache();
            if (Directory.Exists(nameOrPath))
            {
                if (HasWeights(nameOrPath))
                {
                    return (Path.GetFullPath(nameOrPath), "base_model_name_or_path");
                }

                tried.Add($"base_model_name_or_path {nameOrPath} (a folder without safetensors weights)");
            }
            else if (HubSnapshot(cache, nameOrPath) is { } snapshot)
            {
                return (snapshot, $"base_model_name_or_path '{nameOrPath}' in the Hugging Face cache");
            }
            else
            {
                tried.Add($"base_model_name_or_path '{nameOrPath}' (not a local folder, and not in the Hugging Face cache {cache}; nothing is downloaded)");
            }
        }

        if (actorHuggingFace is not null)
        {
            if (HasWeights(actorHuggingFace))
            {
                return (actorHuggingFace, "the actor's huggingface/ weights");
            }

            tried.Add($"{actorHuggingFace} (no weights: verl writes them only with checkpoint.save_contents including hf_model)");
        }

        var where = tried.Count == 0 ? "nothing names one" : "tried " + string.Join("; ", tried);
        issues.Error("lora-base-missing", $"no base model for the LoRA weights ({where}); give its Hugging Face folder with --lora-base", file);
        return null;
    }

    /// <summary>$HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub (huggingface_hub's order).</summary>
    public static string DefaultHubCache() =>
        Environment.GetEnvironmentVariable("HF_HUB_CACHE") is { Length: > 0 } hub ? hub
        : Path.Combine(Environment.GetEnvironmentVariable("HF_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "huggingface"), "hub");

    private static bool HasWeights(string folder) =>
        File.Exists(Path.Combine(folder, SafetensorsModel.SingleFileName)) || File.Exists(Path.Combine(folder, SafetensorsModel.IndexFileName));

    /// <summary>models--{org}--{name}/snapshots/{refs/main}, or the only snapshot when refs/main is absent.</summary>
    private static string? HubSnapshot(string cache, string repoId)
    {
        var parts = repoId.Split('/');
        if (parts.Length is < 1 or > 2 || parts.Any(p => p.Length == 0 || p is "." or ".." || p.Contains('\\', StringComparison.Ordinal)))
        {
            return null;
        }

        var repo = Path.Combine(cache, "models--" + string.Join("--", parts));
        var snapshots = Path.Combine(repo, "snapshots");
        if (!Directory.Exists(snapshots))
        {
            return null;
        }

        var main = Path.Combine(repo, "refs", "main");
        string? folder = null;
        if (File.Exists(main) && File.ReadAllText(main).Trim() is { Length: > 0 } commit && !commit.Contains('/', StringComparison.Ordinal) && !commit.Contains("..", StringComparison.Ordinal))
        {
            folder = Path.Combine(snapshots, commit);
        }
        else if (Directory.GetDirectories(snapshots) is [var only])
        {
            folder = only;
        }

        return folder is not null && HasWeights(folder) ? folder : null;
    }
}
