using VerlOrleans.Checkpoints.Layouts;

namespace VerlOrleans.Checkpoints.Validation;

/// <summary>Checks the config, tokenizer and generation config a merged model needs.</summary>
internal static class HuggingFaceSideFiles
{
    /// <summary>Files any of which makes a tokenizer loadable.</summary>
    public static readonly string[] TokenizerFiles = ["tokenizer.json", "tokenizer_config.json", "vocab.json", "tokenizer.model"];

    public static HfModelConfig? Check(string folder, IssueList issues)
    {
        var configPath = Path.Combine(folder, "config.json");
        HfModelConfig? config = null;
        if (!File.Exists(configPath))
        {
            issues.Error("hf-config-missing", "no config.json: the merged model would have no architecture", configPath);
        }
        else
        {
            try
            {
                config = HfModelConfig.Load(configPath);
            }
            catch (CheckpointFormatException e)
            {
                issues.Error("hf-config-invalid", e.Message, configPath);
            }
        }

        if (!TokenizerFiles.Any(f => File.Exists(Path.Combine(folder, f))))
        {
            issues.Warning("tokenizer-missing", "no tokenizer files: evaluation needs the base model's tokenizer", folder);
        }

        if (!File.Exists(Path.Combine(folder, "generation_config.json")))
        {
            issues.Warning("generation-config-missing", "no generation_config.json: defaults would differ from the base model's (verl issue #1246)", folder);
        }

        return config;
    }
}
