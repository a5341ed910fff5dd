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
        var gate = cat([randn(1, 60) * 3, tensor(new float[] { -200, -88.5f, -87, -20, 0, 1e-8f, 20, 87, 88.5f, 200, -1e30f, 1e30f }).unsqueeze(0)], 1);
        var up = randn(1, 72);
        var expected = nn.functional.silu(gate) * up;

        var actual = SmallStepKernels.SiluTimesUp(cat([gate, up], 1), 72);

        AssertClose(expected, actual, "silu × up");
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        var error = ((actual - expected).abs() / (expected.abs() + 1e-3)).max().item<float>();
        Assert.True(error < 1e-5, $"{what}: max relative error {error}");
    }
}
