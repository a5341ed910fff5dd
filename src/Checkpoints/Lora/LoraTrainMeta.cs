using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Checkpoints.Lora;

/// <summary>
/// <c>lora_train_meta.json</c>, which verl writes next to fsdp_config.json since PR #5326/#6409 so that merges know the
/// real lora_alpha: <c>{"r": 32, "lora_alpha": 64, "task_type": "CAUSAL_LM"}</c>.
/// </summary>
public sealed record LoraTrainMeta(string Path, int? R, double? LoraAlpha)
{
    public const string FileName = "lora_train_meta.json";

    /// <summary>Reads the file in <paramref name="folder"/>, or null when there is none; malformed files throw <see cref="CheckpointFormatException"/>.</summary>
    public static LoraTrainMeta? Find(string folder)
    {
        var path = System.IO.Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            if (JsonNode.Parse(File.ReadAllText(path)) is not JsonObject root)
            {
                throw new CheckpointFormatException(path, "not a JSON object");
            }

            return new LoraTrainMeta(path, LoraAdapterConfig.ReadRank(root, path, "r"), LoraAdapterConfig.ReadNumber(root, path, "lora_alpha"));
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"not valid JSON: {e.Message}", e);
        }
    }
}
