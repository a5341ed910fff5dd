using VerlOrleans.Inference.Models;
using static TorchSharp.torch;

namespace VerlOrleans.Inference.Tests.Models;

/// <summary>Every product strategy of <see cref="Linear"/> computes x Wᵀ + b.</summary>
public sealed class LinearTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(Linear.RowSplitMaxTokens)]
    [InlineData(Linear.RowSplitMaxTokens + 1)]
    [InlineData(40)]
    public void Small_and_large_batches_give_the_plain_product(int tokens)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        var weight = randn([1031, 16400], generator: generator);     // 67.6 MB, odd row count: uneven blocks
        var bias = randn([1031], generator: generator);
        var x = randn([tokens, 16400], generator: generator);
        var expected = x.mm(weight.t()) + bias;

        using var linear = new Linear(weight.clone(), bias.clone(), parallelism: 3);
        var actual = linear.Forward(x);

        Assert.True(linear.SplitsRows);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-3), $"max abs error {(actual - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void Layer_sized_weights_are_not_split()
    {
        using var linear = new Linear(randn([4864, 896]), null, parallelism: 2);   // 17 MB

        Assert.False(linear.SplitsRows);
    }
}
