using VerlOrleans.Checkpoints.Lora;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.Validation;

namespace VerlOrleans.Checkpoints.Merge;

/// <summary>What a merge writes and how.</summary>
/// <param name="TargetDir">The Hugging Face folder to create (must not exist, or be empty).</param>
public sealed record MergeOptions(string TargetDir)
{
    /// <summary>Output type of floating-point tensors (integers and bools are never converted); null keeps each tensor's type.</summary>
    public TensorDType? DType { get; init; } = TensorDType.BF16;

    /// <summary>Largest safetensors file, as <c>save_pretrained</c>'s <c>max_shard_size</c> (default 5 GB = 5·10^9 bytes).</summary>
    public long MaxShardBytes { get; init; } = 5_000_000_000;

    /// <summary>A reference Hugging Face folder the result must match (keys, shapes, dtypes, values) before it is published.</summary>
    public string? VerifyAgainst { get; init; }

    /// <summary>The base model and lora_alpha for LoRA weights (<c>--lora-base</c>, <c>--lora-alpha</c>), when the checkpoint's files do not say.</summary>
    public LoraOptions Lora { get; init; } = new();

    /// <summary>Bytes read per step; memory use is about twice this, whatever the model size.</summary>
    public int ChunkBytes { get; init; } = 8 << 20;
}

/// <summary>Where a merge is; reported after each tensor (a grain forwards a few of these per second).</summary>
public sealed record MergeProgress(string Phase, int TensorsDone, int TensorsTotal, long BytesWritten, long BytesTotal, string? CurrentTensor);

/// <summary>The published result of a merge.</summary>
/// <param name="TargetDir">The Hugging Face folder written.</param>
/// <param name="ContentHash">SHA-256 identity of the merged weights (<see cref="ModelContentHash"/>).</param>
/// <param name="TensorCount">Tensors written.</param>
/// <param name="TotalBytes">Bytes of tensor data written.</param>
/// <param name="Files">Files in the folder, relative names.</param>
/// <param name="DroppedKeys">Keys not written (lm_head.weight of tied embeddings).</param>
/// <param name="Notes">Warnings about the output (e.g. a tied head that differed and was kept, a critic's config rewritten).</param>
/// <param name="Validation">The validation report the merge ran on.</param>
/// <param name="Verification">The comparison with <see cref="MergeOptions.VerifyAgainst"/>, when asked.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record MergeResult(
    string TargetDir,
    string ContentHash,
    int TensorCount,
    long TotalBytes,
    IReadOnlyList<string> Files,
    IReadOnlyList<string> DroppedKeys,
    IReadOnlyList<string> Notes,
    ValidationReport Validation,
    VerificationReport? Verification,
    TimeSpan Elapsed);

/// <summary>A merge refused or failed; nothing was published at the target.</summary>
public sealed class CheckpointMergeException(string message, ValidationReport? validation = null, VerificationReport? verification = null) : Exception(message)
{
    public ValidationReport? Validation { get; } = validation;

    public VerificationReport? Verification { get; } = verification;
}
