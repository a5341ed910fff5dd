using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Tests.Golden;

namespace VerlOrleans.Evaluation.Tests.Datasets;

/// <summary><c>np.random.default_rng(seed).choice(n, size, replace=False)</c> against NumPy's own output.</summary>
public sealed class NumpyGeneratorTests
{
    [Fact]
    public void Choice_without_replacement_reproduces_numpy_for_floyd_and_tail_shuffle_paths()
    {
        foreach (var c in GoldenFiles.ReadJson("numpy_random.json")["generator_choice"]!.AsArray())
        {
            var total = c!["total"]!.GetValue<long>();
            var size = c["size"]!.GetValue<int>();
            var seed = c["seed"]!.GetValue<long>();
            var expected = c["indices"]!.AsArray().Select(v => v!.GetValue<long>()).ToArray();

            var actual = new NumpyGenerator(seed).ChooseWithoutReplacement(total, size);

            Assert.True(expected.SequenceEqual(actual),
                $"default_rng({seed}).choice({total}, {size}, replace=False): first NumPy {string.Join(",", expected.Take(8))}, C# {string.Join(",", actual.Take(8))}");
        }
    }
}
