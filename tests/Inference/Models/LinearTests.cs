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
        var weight = randn([1031, 96], generator: generator);        // odd row count: uneven blocks
        var bias = randn([1031], generator: generator);
        var x = randn([tokens, 96], generator: generator);
        var expected = x.mm(weight.t()) + bias;

        using var linear = new Linear(weight.clone(), bias.clone(), parallelism: 3);
        var actual = linear.Forward(x);

        Assert.True(linear.SplitsRows);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-5), $"max abs error {(actual - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void Weights_with_few_rows_per_core_are_not_split()
    {
        using var linear = new Linear(randn([500, 64]), null, parallelism: 2);

        Assert.False(linear.SplitsRows);
    }

    [Fact]
    public void Two_threads_sharing_the_split_products_both_get_exact_results()
    {
        using var scope = NewDisposeScope();
        var weight = randn([2048, 64]);
        var inputs = Enumerable.Range(0, 2).Select(_ => randn([1, 64])).ToArray();
        var expected = inputs.Select(x => x.mm(weight.t())).ToArray();
        using var linear = new Linear(weight.alias(), null, parallelism: 2);

        var results = new bool[2];
        Parallel.For(0, 2, t =>
        {
            for (var i = 0; i < 200; i++)
            {
                using var inner = NewDisposeScope();
                results[t] = linear.Forward(inputs[t]).allclose(expected[t], rtol: 1e-5, atol: 1e-5);
                if (!results[t])
                {
                    return;
                }
            }
        });

        Assert.Equal([true, true], results);
    }

    [Theory]
    [InlineData(1, 1031, 96)]      // rows not a multiple of 4
    [InlineData(1, 64, 37)]        // columns not a multiple of 8: the scalar tail
    [InlineData(3, 1031, 101)]     // both, split over three threads
    [InlineData(1, 5, 3)]          // fewer columns than one vector
    [InlineData(1, 8, 4864)]       // long rows: four rows at a time
    [InlineData(2, 1030, 2059)]    // long rows, rows and columns off the vector widths, split over two threads
    public void One_token_products_match_a_double_precision_reference(int parallelism, int rows, int cols)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        var weight = randn([rows, cols], generator: generator);
        var x = randn([1, cols], generator: generator);
        var expected = x.to(float64).mm(weight.to(float64).t());

        using var linear = new Linear(weight.clone(), null, parallelism);
        var actual = linear.Forward(x);

        Assert.Equal(new long[] { 1, rows }, actual.shape);
        var error = (actual.to(float64) - expected).abs().max().item<double>();
        Assert.True(error < 1e-4, $"max abs error {error}");
    }

    [Fact]
    public void A_one_token_input_that_is_a_strided_view_gives_the_plain_product()
    {
        using var scope = NewDisposeScope();
        var weight = randn([1024, 64]);
        var wide = randn([64, 3]);
        var x = wide.narrow(1, 1, 1).t();              // (1, 64) with stride 3: not contiguous
        var expected = x.contiguous().mm(weight.t());

        using var linear = new Linear(weight.alias(), null, parallelism: 2);
        var actual = linear.Forward(x);

        Assert.False(x.is_contiguous());
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-5));
    }
}
