using VerlOrleans.Evaluation.Metrics;
using VerlOrleans.Evaluation.Tests.Golden;

namespace VerlOrleans.Evaluation.Tests.Metrics;

/// <summary>NumPy's legacy seeded stream and its reductions, against values NumPy itself produced (Golden/numpy_random.json).</summary>
public sealed class NumpyRandomTests
{
    [Fact]
    public void Legacy_choice_with_replacement_reproduces_numpy_after_seed_42()
    {
        foreach (var c in GoldenFiles.ReadJson("numpy_random.json")["legacy_choice"]!.AsArray())
        {
            var n = c!["n"]!.GetValue<int>();
            var k = c["k"]!.GetValue<int>();
            var expected = c["indices"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray();

            var actual = new LegacyRandomState(42).ChooseWithReplacement(n, 1000, k);

            Assert.True(expected.SequenceEqual(actual), $"choice({n}, (1000, {k})) differs from NumPy");
        }
    }

    [Fact]
    public void Mersenne_twister_matches_the_reference_first_outputs_for_seed_5489()
    {
        // The first outputs of mt19937ar.c's init_genrand(5489), the generator's published check values.
        var mt = new LegacyRandomState(5489);
        Assert.Equal([3499211612u, 581869302u, 3890346734u, 3586334585u, 545404204u], Enumerable.Range(0, 5).Select(_ => mt.NextUInt32()));
    }

    [Fact]
    public void Sums_follow_numpys_pairwise_order_not_left_to_right()
    {
        // 1e16 + 1 + ... loses every one added left to right; NumPy's pairwise order keeps most of them
        // (np.sum gives 1.0000000000000188e16 for exactly this array).
        var values = new double[200];
        values[0] = 1e16;
        for (var i = 1; i < values.Length; i++)
        {
            values[i] = 1.0;
        }

        var leftToRight = values.Aggregate(0.0, (a, b) => a + b);
        Assert.NotEqual(leftToRight, NumpyReductions.Sum(values));
        Assert.Equal(1.0000000000000188e16, NumpyReductions.Sum(values));
    }
}
