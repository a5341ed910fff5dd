namespace VerlOrleans.Contracts.Models;

/// <summary>Where a model's Hugging Face folder is and how to hold it.</summary>
/// <param name="ModelPath">Folder with config.json, tokenizer files and safetensors weights.</param>
/// <param name="DType">"auto" (bf16 on CUDA, float32 on CPU), "bf16", "fp16" or "fp32".</param>
[GenerateSerializer, Immutable]
public sealed record ModelLoadSpec(
    [property: Id(0)] string ModelPath,
    [property: Id(1)] string DType = "auto");
