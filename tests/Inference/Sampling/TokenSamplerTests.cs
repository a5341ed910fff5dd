using VerlOrleans.Inference.Sampling;
using static TorchSharp.torch;

namespace VerlOrleans.Inference.Tests.Sampling;

public sealed class TokenSamplerTests
{
    [Fact]
    public void Greedy_rows_take_the_argmax_whatever_the_draw()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 0.1f, 3f, -1f, 2.9f, 5f, 4f, 0f, 1f }).view(2, 4);
        var greedy = new SamplingParams { Temperature = 0 };

        var tokens = TokenSampler.Sample(logits, [new SampleRow(0, greedy, 0.99), new SampleRow(1, greedy, 0.01), new SampleRow(0, greedy, 0.5)]);

        Assert.Equal([1, 0, 1], tokens);
    }

    /// <summary>Random logits and parameter mixes, one batch of rows with different filters, against Hugging Face's warpers.</summary>
    [Fact]
    public void Filtered_distributions_match_hugging_faces_warpers_row_by_row()
    {
        using var scope = NewDisposeScope();
        var random = new Random(1234);
        for (var trial = 0; trial < 40; trial++)
        {
            var vocab = random.Next(2, 300);
            var rows = Enumerable.Range(0, 6).Select(_ => new SamplingParams
            {
                Temperature = 0.3 + random.NextDouble() * 1.5,
                TopK = random.Next(4) == 0 ? -1 : random.Next(0, vocab + 2),
                TopP = random.Next(3) == 0 ? 1.0 : 0.05 + random.NextDouble() * 0.94,
                MinP = random.Next(3) == 0 ? 0 : random.NextDouble() * 0.3,
            }).ToList();
            var values = Enumerable.Range(0, rows.Count * vocab).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();

            var filtered = TokenSampler.FilteredProbabilities(tensor(values).view(rows.Count, vocab), rows);
            var actual = (filtered / filtered.sum(1, keepdim: true)).to(float64).data<double>().ToArray();

            for (var r = 0; r < rows.Count; r++)
            {
                var expected = HfLogitsWarpers.Probabilities(values.AsSpan(r * vocab, vocab).ToArray(), rows[r]);
                for (var t = 0; t < vocab; t++)
                {
                    Assert.True(Math.Abs(expected[t] - actual[r * vocab + t]) < 1e-5,
                        $"trial {trial} row {r} ({rows[r]}), token {t}: expected {expected[t]}, got {actual[r * vocab + t]}");
                }
            }
        }
    }

    [Fact]
    public void A_nucleus_wider_than_the_candidate_window_is_still_exact()
    {
        using var scope = NewDisposeScope();
        const int vocab = 5000;
        // Nearly flat (the 0.99 nucleus needs ~4950 tokens) yet every probability distinct in float32, so
        // the comparison is not about how ties at the threshold are broken.
        var values = Enumerable.Range(0, vocab).Select(i => (i * 7919 % vocab) * 2e-5f).ToArray();
        var p = new SamplingParams { TopP = 0.99 };

        var filtered = TokenSampler.FilteredProbabilities(tensor(values).view(1, vocab), [p]);

        var kept = filtered.gt(0).sum().item<long>();
        var expectedKept = HfLogitsWarpers.Probabilities(values, p).Count(x => x > 0);
        Assert.True(kept > TokenSampler.NucleusCandidates);
        Assert.Equal(expectedKept, kept);
    }

    [Fact]
    public void Draws_invert_the_cumulative_distribution_so_frequencies_follow_the_probabilities()
    {
        using var scope = NewDisposeScope();
        var probabilities = new[] { 0.1, 0.2, 0.3, 0.4 };
        var logits = tensor(probabilities.Select(p => (float)Math.Log(p)).ToArray()).view(1, 4);
        var p = new SamplingParams { Temperature = 1 };
        const int draws = 1000;

        var tokens = TokenSampler.Sample(logits, Enumerable.Range(0, draws).Select(i => new SampleRow(0, p, (i + 0.5) / draws)).ToList());

        for (var t = 0; t < 4; t++)
        {
            Assert.InRange(tokens.Count(x => x == t), (probabilities[t] * draws) - 2, (probabilities[t] * draws) + 2);
        }

        Assert.Equal(tokens.Order(), tokens);                      // increasing draws walk the vocabulary in order
    }

    [Fact]
    public void Dropped_tokens_are_never_drawn()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 1f, 4f, 3f, 2f, 0f }).view(1, 5);
        var p = new SamplingParams { TopK = 2 };

        var tokens = TokenSampler.Sample(logits, Enumerable.Range(0, 200).Select(i => new SampleRow(0, p, i / 200.0)).ToList());

        Assert.Equal([1, 2], tokens.Distinct().Order());
    }

    [Theory]
    [InlineData(nameof(SamplingParams.N), "sampling parameter N = 0")]
    [InlineData(nameof(SamplingParams.Temperature), "sampling parameter Temperature = -1")]
    [InlineData(nameof(SamplingParams.TopP), "sampling parameter TopP = 0")]
    [InlineData(nameof(SamplingParams.TopK), "sampling parameter TopK = -2")]
    [InlineData(nameof(SamplingParams.MinP), "sampling parameter MinP = 2")]
    [InlineData(nameof(SamplingParams.MaxTokens), "sampling parameter MaxTokens = 0")]
    [InlineData(nameof(SamplingParams.Stop), "sampling parameter Stop = ")]
    public void Invalid_parameters_are_rejected_by_name(string field, string message)
    {
        var p = field switch
        {
            nameof(SamplingParams.N) => new SamplingParams { N = 0 },
            nameof(SamplingParams.Temperature) => new SamplingParams { Temperature = -1 },
            nameof(SamplingParams.TopP) => new SamplingParams { TopP = 0 },
            nameof(SamplingParams.TopK) => new SamplingParams { TopK = -2 },
            nameof(SamplingParams.MinP) => new SamplingParams { MinP = 2 },
            nameof(SamplingParams.MaxTokens) => new SamplingParams { MaxTokens = 0 },
            _ => new SamplingParams { Stop = [""] },
        };

        var error = Assert.Throws<ArgumentException>(p.Validate);

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(field, error.ParamName);
    }
}
