using TorchSharp;
using static TorchSharp.torch;

namespace VerlOrleans.Inference.Models;

/// <summary>
/// Rotate-half rotary position embeddings as transformers computes them: inverse frequencies in float32
/// (<c>modeling_rope_utils</c> default and llama3), cos/sin of <c>position * inv_freq</c> in float32, then cast to
/// the compute dtype. The table covers every position the KV cache can hold, so a step only gathers rows.
/// </summary>
public sealed class RotaryEmbedding : IDisposable
{
    private readonly Tensor _cos; // (positions, head_dim)
    private readonly Tensor _sin;

    public RotaryEmbedding(ModelConfig config, int positions, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        var invFreq = InverseFrequencies(config);
        var freqs = arange(positions, dtype: int64).to(float32).unsqueeze(1) * invFreq.unsqueeze(0); // (positions, head_dim/2)
        var emb = cat([freqs, freqs], 1);                                                             // (positions, head_dim)
        _cos = emb.cos().to(dtype, device).MoveToOuterDisposeScope();
        _sin = emb.sin().to(dtype, device).MoveToOuterDisposeScope();
        Positions = positions;
    }

    /// <summary>How many positions (0 .. Positions-1) the table covers.</summary>
    public int Positions { get; }

    /// <summary>inv_freq = 1 / theta^(2i/d), rescaled by llama3 <c>rope_scaling</c> when the config has one.</summary>
    public static Tensor InverseFrequencies(ModelConfig config)
    {
        using var scope = NewDisposeScope();
        var dim = config.HeadDim;
        var invFreq = 1.0 / torch.pow(config.RopeTheta, arange(0, dim, 2, dtype: int64).to(float32) / dim);
        if (config.RopeScaling is { } s)
        {
            var lowFreqWavelen = s.OriginalMaxPositionEmbeddings / s.LowFrequencyFactor;
            var highFreqWavelen = s.OriginalMaxPositionEmbeddings / s.HighFrequencyFactor;
            var wavelen = 2 * Math.PI / invFreq;
            var scaled = where(wavelen > lowFreqWavelen, invFreq / s.Factor, invFreq);
            var smooth = ((double)s.OriginalMaxPositionEmbeddings / wavelen - s.LowFrequencyFactor) / (s.HighFrequencyFactor - s.LowFrequencyFactor);
            var smoothed = (1 - smooth) * scaled / s.Factor + smooth * scaled;
            var medium = (wavelen < highFreqWavelen).logical_not().logical_and((wavelen > lowFreqWavelen).logical_not());
            invFreq = where(medium, smoothed, scaled);
        }

        return invFreq.MoveToOuterDisposeScope();
    }

    /// <summary>Rotates <paramref name="x"/> (tokens, heads, head_dim) by each token's position (tokens).</summary>
    public Tensor Apply(Tensor x, Tensor positions)
    {
        var cos = _cos.index_select(0, positions).unsqueeze(1); // (tokens, 1, head_dim)
        var sin = _sin.index_select(0, positions).unsqueeze(1);
        return x * cos + RotateHalf(x) * sin;
    }

    public void Dispose()
    {
        _cos.Dispose();
        _sin.Dispose();
    }

    private static Tensor RotateHalf(Tensor x)
    {
        var half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        return cat([x2.neg(), x1], -1);
    }
}
