using VerlOrleans.Inference.Models;
using static TorchSharp.torch;

namespace VerlOrleans.Inference.Tests.Models;

/// <summary>The small-step loops give what the tensor ops they replace give, to float rounding, at awkward sizes.</summary>
public sealed class SmallStepKernelsTests
{
    [Theory]
    [InlineData(1, 896)]
    [InlineData(3, 37)]      // a size off the vector width: the scalar tails
    public void Add_then_rms_norm_matches_the_tensor_formula(int tokens, int size)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var hidden = randn([tokens, size], generator: generator) * 4;
        var delta = randn([size, tokens], generator: generator).t();            // non-contiguous, as a split product returns
        var weight = randn([size], generator: generator);
        var sum = hidden + delta;
        var expected = weight * (sum * (sum.pow(2).mean([-1], keepdim: true) + 1e-6).rsqrt());

        var normalized = SmallStepKernels.AddThenRmsNorm(hidden, delta, weight, 1e-6);

        AssertClose(sum, hidden, "the residual, added in place");
        AssertClose(expected, normalized, "the norm");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rotation_matches_the_rotary_embedding(bool qkNorm)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        var x = randn([2, 3, 20], generator: generator);                        // head_dim 20: halves of 10, off the width
        var angles = new RotaryAngles(randn([2, 1, 20], generator: generator), randn([2, 1, 20], generator: generator));
        var norm = qkNorm ? randn([20], generator: generator) : null;
        var normed = norm is null ? x : norm * (x * (x.pow(2).mean([-1], keepdim: true) + 1e-6).rsqrt());
        var expected = RotaryEmbedding.Apply(normed, angles);

        AssertClose(expected, SmallStepKernels.Rotate(x, angles, norm, 1e-6), "rotation");
    }

    [Fact]
    public void Silu_times_up_matches_torch_over_the_whole_float_range()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(13);
        var gate = cat([randn([1, 60], generator: generator) * 3, tensor(new float[] { -200, -88.5f, -87, -20, 0, 1e-8f, 20, 87, 88.5f, 200, -1e30f, 1e30f }).unsqueeze(0)], 1);
        var up = randn([1, 72], generator: generator) * 4;
        var expected = nn.functional.silu(gate) * up;

        var actual = SmallStepKernels.SiluTimesUp(cat([gate, up], 1), 72);

        AssertClose(expected, actual, "silu × up");
        // Gates of -200 and -1e30 (columns 60 and 70): e^-gate overflows float, SiLU is 0, not a residue.
        foreach (var column in new[] { 60, 70 })
        {
            Assert.Equal(0f, actual[0, column].item<float>());
        }
    }

    [Fact]
    public void Decode_attention_and_the_cache_write_match_scaled_dot_product_attention()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(9);
        const int kvHeads = 2, group = 3, headDim = 20, capacity = 7;
        var keyCache = randn([3, kvHeads, capacity, headDim], generator: generator);
        var valueCache = randn([3, kvHeads, capacity, headDim], generator: generator);
        int[] slots = [2, 0], positions = [4, 2];                              // two decode tokens, slots out of order
        var keys = randn([2, kvHeads, headDim], generator: generator);
        var values = randn([2, kvHeads, headDim], generator: generator);
        var queries = randn([2, kvHeads * group, headDim], generator: generator) * 3;

        SmallStepKernels.WriteKv(keyCache, valueCache, slots, positions, keys, values);
        var actual = SmallStepKernels.DecodeAttention(queries, keyCache, valueCache, slots, [5, 3], group);

        for (var t = 0; t < 2; t++)
        {
            AssertClose(keys[t], keyCache[slots[t], .., positions[t]], $"token {t}'s keys in the cache");
            AssertClose(values[t], valueCache[slots[t], .., positions[t]], $"token {t}'s values in the cache");
            var k = keyCache[slots[t], .., ..(positions[t] + 1)];                 // (kv, length, d)
            var v = valueCache[slots[t], .., ..(positions[t] + 1)];
            var q = queries[t].view(kvHeads, group, headDim);
            var expected = nn.functional.scaled_dot_product_attention(q, k, v).reshape(1, -1);
            AssertClose(expected, actual[t].unsqueeze(0), $"token {t}'s attention");
        }
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        var error = ((actual - expected).abs() / (expected.abs() + 1e-3)).max().item<float>();
        Assert.True(error < 1e-5, $"{what}: max relative error {error}");
    }
}
