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
    private readonly Tensor _signedSin; // sin with its first half negated: rotate_half's sign folded in

    public RotaryEmbedding(ModelConfig config, int positions, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        var invFreq = InverseFrequencies(config);
        var freqs = arange(positions, dtype: int64).to(float32).unsqueeze(1) * invFreq.unsqueeze(0); // (positions, head_dim/2)
        var emb = cat([freqs, freqs], 1);                                                             // (positions, head_dim)
        _cos = emb.cos().to(dtype, device).MoveToOuterDisposeScope();
        var sin = emb.sin();
        var half = config.HeadDim / 2;
        _signedSin = cat([sin.narrow(1, 0, half).neg(), sin.narrow(1, half, half)], 1).to(dtype, device).MoveToOuterDisposeScope();
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

    /// <summary>The cos and sign-folded sin rows of each token's position (tokens), shaped (tokens, 1, head_dim) for <see cref="Apply(Tensor, RotaryAngles)"/>.</summary>
    public RotaryAngles Gather(Tensor positions) =>
        new(_cos.index_select(0, positions).unsqueeze(1), _signedSin.index_select(0, positions).unsqueeze(1));

    /// <summary>Rotates <paramref name="x"/> (tokens, heads, head_dim) by each token's position (tokens).</summary>
    public Tensor Apply(Tensor x, Tensor positions) => Apply(x, Gather(positions));

    /// <summary>
    /// x·cos + rotate_half(x)·sin. rotate_half(x) = cat(−x₂, x₁) is x rolled by half the head with its first half
    /// negated; the negation lives in the sin table (negating a product's factor is exact), so a layer's rotation is
    /// four tensor ops instead of eleven, with the same values.
    /// </summary>
    public static Tensor Apply(Tensor x, RotaryAngles angles) =>
        x * angles.Cos + x.roll(x.shape[^1] / 2, -1) * angles.SignedSin;

    public void Dispose()
    {
        _cos.Dispose();
        _signedSin.Dispose();
    }
}

/// <summary>Per-token rotary factors for one forward pass, shared by every layer: (tokens, 1, head_dim) each.</summary>
/// <param name="Cos">cos(position · inv_freq), both halves.</param>
/// <param name="SignedSin">sin(position · inv_freq) with its first half negated.</param>
public readonly record struct RotaryAngles(Tensor Cos, Tensor SignedSin);
