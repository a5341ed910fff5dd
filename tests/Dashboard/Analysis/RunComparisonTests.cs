using VerlOrleans.Contracts.Samples;
using VerlOrleans.Dashboard.Analysis;

namespace VerlOrleans.Dashboard.Tests.Analysis;

/// <summary>Flips between runs, per prompt over all n samples, on outcomes built so the answer is known.</summary>
public sealed class RunComparisonTests
{
    [Fact]
    public void Counts_prompts_solved_and_broken_against_the_baseline()
    {
        // n = 4. Baseline A solves p0 (4/4), p1 (2/4: half counts), not p2 (1/4) or p3 (0/4); p4 only A has.
        var a = Outcomes("p0", 4, 4).Concat(Outcomes("p1", 2, 4)).Concat(Outcomes("p2", 1, 4)).Concat(Outcomes("p3", 0, 4)).Concat(Outcomes("p4", 4, 4)).ToList();
        // B: p0 broken (1/4), p1 kept (3/4), p2 solved (2/4), p3 still unsolved (1/4); p5 only B has.
        var b = Outcomes("p0", 1, 4).Concat(Outcomes("p1", 3, 4)).Concat(Outcomes("p2", 2, 4)).Concat(Outcomes("p3", 1, 4)).Concat(Outcomes("p5", 4, 4)).ToList();
        // C: solves all of p0..p3.
        var c = Enumerable.Range(0, 4).SelectMany(i => Outcomes($"p{i}", 4, 4)).ToList();

        var comparison = RunComparison.Of([("A", a), ("B", b), ("C", c)]);

        Assert.Equal(["p0", "p1", "p2", "p3", "p4", "p5"], comparison.Prompts.Select(p => p.Uid));
        var b_ = comparison.Counts(1);
        Assert.Equal(1, b_[Flip.Solved]);
        Assert.Equal(1, b_[Flip.Broken]);
        Assert.Equal(1, b_[Flip.BothSolved]);
        Assert.Equal(1, b_[Flip.NeitherSolved]);
        Assert.Equal(2, b_[Flip.Missing]);
        Assert.Equal(Flip.Solved, RunComparison.FlipOf(comparison.Prompts[2], 1));
        Assert.Equal(Flip.Broken, RunComparison.FlipOf(comparison.Prompts[0], 1));
        var c_ = comparison.Counts(2);
        Assert.Equal((2, 0), (c_[Flip.Solved], c_[Flip.Broken]));
        Assert.Equal([3, 3, 4], Enumerable.Range(0, 3).Select(comparison.SolvedBy));
        Assert.Equal("2/4", comparison.Prompts[1].Outcomes[0]!.ToString());
    }

    [Fact]
    public void A_sample_listed_twice_counts_once_and_data_sources_filter_the_counts()
    {
        var a = new List<SampleOutcome> { new("p0", 0, 0, "x", 0, false), new("p0", 0, 0, "x", 1, true), new("p1", 0, 1, "y", 0, false) };
        var b = new List<SampleOutcome> { new("p0", 0, 0, "x", 0, false), new("p1", 0, 1, "y", 1, true) };

        var comparison = RunComparison.Of([("A", a), ("B", b)]);

        Assert.Equal("1/1", comparison.Prompts[0].Outcomes[0]!.ToString());
        Assert.Equal(1, comparison.Counts(1, "x")[Flip.Broken]);
        Assert.Equal(0, comparison.Counts(1, "x")[Flip.Solved]);
        Assert.Equal(1, comparison.Counts(1, "y")[Flip.Solved]);
        Assert.Equal(["x", "y"], comparison.DataSources);
    }

    private static IEnumerable<SampleOutcome> Outcomes(string uid, int correct, int n) =>
        Enumerable.Range(0, n).Select(i => new SampleOutcome(uid, i, int.Parse(uid[1..], System.Globalization.CultureInfo.InvariantCulture), "src", i < correct ? 1 : 0, i < correct));
}
