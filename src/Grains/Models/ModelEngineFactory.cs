using Microsoft.Extensions.Options;
using VerlOrleans.Grains.Hosting;
using VerlOrleans.Inference.Engine;
using VerlOrleans.Inference.Models;
using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Grains.Models;

/// <summary>Builds inference engines for model grains from the grid's options: sizing, dtype names, text decoding.</summary>
public sealed class ModelEngineFactory(IOptions<GridOptions> options)
{
    /// <summary>Runner options for a model resident in <paramref name="dtype"/> ("auto", "bf16", "fp16", "fp32") on <paramref name="device"/>.</summary>
    public TorchRunnerOptions RunnerOptions(string device, string dtype) => new()
    {
        Load = new ModelLoadOptions(device, TorchDTypeName(dtype)),
        MaxBatchSize = options.Value.ModelMaxBatchSize,
        MaxSequenceLength = options.Value.ModelMaxSequenceLength,
    };

    /// <summary>Bytes (weights + KV cache) the model would hold on <paramref name="device"/>, from config.json alone.</summary>
    public long EstimateBytes(string modelPath, string device, string dtype) =>
        TorchModelRunner.Plan(modelPath, RunnerOptions(device, dtype)).TotalBytes;

    /// <summary>Starts an engine whose results carry text decoded as verl decodes responses (special tokens skipped).</summary>
    public InferenceEngine Start(string key, string modelPath, string device, string dtype)
    {
        var tokenizer = HfTokenizer.FromDirectory(modelPath);
        return InferenceEngine.Start(modelPath, RunnerOptions(device, dtype), new EngineOptions
        {
            Decoder = ids => tokenizer.Decode(ids, skipSpecialTokens: true),
            ThreadName = $"engine {key}",
        });
    }

    /// <summary>The runner's dtype name; null lets it pick (bf16 on CUDA, float32 on CPU).</summary>
    public static string? TorchDTypeName(string dtype) => dtype switch
    {
        "auto" => null,
        "bf16" or "bfloat16" => "bfloat16",
        "fp16" or "float16" => "float16",
        "fp32" or "float32" => "float32",
        _ => throw new ArgumentException($"dtype '{dtype}' is not one of: auto, bf16, fp16, fp32"),
    };
}
