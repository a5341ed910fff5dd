using VerlOrleans.Checkpoints.Lora;

namespace VerlOrleans.Checkpoints.Validation;

/// <summary>Choices for <see cref="CheckpointValidator"/>.</summary>
/// <param name="ScanNonFinite">Read every floating-point value and report NaN/Inf per key (reads the whole checkpoint).</param>
public sealed record ValidationOptions(bool ScanNonFinite = false)
{
    /// <summary>The base model and lora_alpha for LoRA weights, when the checkpoint's files do not say.</summary>
    public LoraOptions Lora { get; init; } = new();
}
