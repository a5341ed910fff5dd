namespace VerlOrleans.Checkpoints.Lora;

/// <summary>How to merge LoRA weights when the checkpoint's own files do not say (or say wrongly).</summary>
/// <param name="BaseModel">The base model's Hugging Face folder (<c>--lora-base</c>); wins over every other source.</param>
/// <param name="Alpha">lora_alpha (<c>--lora-alpha</c>); wins over lora_train_meta.json and adapter_config.json.</param>
public sealed record LoraOptions(string? BaseModel = null, double? Alpha = null)
{
    /// <summary>The Hugging Face hub cache searched for <c>base_model_name_or_path</c>; null means $HF_HUB_CACHE, $HF_HOME/hub or ~/.cache/huggingface/hub.</summary>
    public string? HubCache { get; init; }
}
