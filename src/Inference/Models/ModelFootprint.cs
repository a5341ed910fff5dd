using TorchSharp;

namespace VerlOrleans.Inference.Models;

/// <summary>
/// Memory a model needs on its device, computed from config.json alone (no weight is read), so a placement
/// decision can be made before loading.
/// </summary>
/// <param name="ParameterCount">Resident parameters (a tied lm_head counts once).</param>
/// <param name="WeightBytes">Parameters times the resident element size.</param>
/// <param name="KvBytesPerToken">Key and value bytes one token occupies across all layers.</param>
public sealed record ModelFootprint(long ParameterCount, long WeightBytes, long KvBytesPerToken)
{
    /// <summary>Bytes of a KV cache with <paramref name="slots"/> sequences of up to <paramref name="tokensPerSlot"/> tokens.</summary>
    public long KvCacheBytes(int slots, int tokensPerSlot) => KvBytesPerToken * slots * tokensPerSlot;

    /// <summary>The footprint of <paramref name="config"/> resident in <paramref name="dtype"/>.</summary>
    public static ModelFootprint Estimate(ModelConfig config, torch.ScalarType dtype)
    {
        long hidden = config.HiddenSize, headDim = config.HeadDim, vocab = config.VocabSize;
        long qkvRows = (config.AttentionHeadCount + 2L * config.KeyValueHeadCount) * headDim;
        long perLayer = qkvRows * hidden
            + (config.QkvBias ? qkvRows : 0)
            + hidden * config.AttentionHeadCount * headDim
            + (config.OutputBias ? hidden : 0)
            + (config.QkNorm ? 2 * headDim : 0)
            + 2 * hidden
            + 3L * config.IntermediateSize * hidden;
        var parameters = vocab * hidden + config.LayerCount * perLayer + hidden + (config.TieWordEmbeddings ? 0 : vocab * hidden);
        var itemSize = ElementSize(dtype);
        return new ModelFootprint(parameters, parameters * itemSize, 2L * config.LayerCount * config.KeyValueHeadCount * headDim * itemSize);
    }

    /// <summary>Bytes per element of the floating-point dtypes a model can be resident in.</summary>
    public static int ElementSize(torch.ScalarType dtype) => dtype switch
    {
        torch.ScalarType.Float32 => 4,
        torch.ScalarType.BFloat16 or torch.ScalarType.Float16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "weights are float32, bfloat16 or float16"),
    };
}
