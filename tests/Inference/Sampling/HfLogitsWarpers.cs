using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Inference.Tests.Sampling;

/// <summary>
/// Hugging Face generate's warpers written out naively in double precision, as the oracle for the sampler:
/// TemperatureLogitsWarper, TopKLogitsWarper (drop logits below the k-th largest), TopPLogitsWarper (sort
/// ascending, drop while the cumulative probability is ≤ 1 − top_p, always keep the last), MinPLogitsWarper
/// (drop probabilities below min_p × the largest), applied in that order.
/// </summary>
internal static class HfLogitsWarpers
{
    public static double[] Probabilities(float[] logits, SamplingParams p)
    {
        var scores = logits.Select(l => l / p.Temperature).ToArray();
        if (p.TopK > 0 && p.TopK < scores.Length)
        {
            var kth = scores.OrderByDescending(s => s).ElementAt(p.TopK - 1);
            scores = scores.Select(s => s < kth ? double.NegativeInfinity : s).ToArray();
        }

        if (p.TopP < 1)
        {
            var probs = Softmax(scores);
            var ascending = Enumerable.Range(0, scores.Length).OrderBy(i => probs[i]).ToArray();
            double cumulative = 0;
            for (var j = 0; j < ascending.Length - 1; j++)
            {
                cumulative += probs[ascending[j]];
                if (cumulative <= 1 - p.TopP)
                {
                    scores[ascending[j]] = double.NegativeInfinity;
                }
            }
        }

        if (p.MinP > 0)
        {
            var probs = Softmax(scores);
            var floor = p.MinP * probs.Max();
            scores = scores.Select((s, i) => probs[i] < floor ? double.NegativeInfinity : s).ToArray();
        }

        return Softmax(scores);
    }

    private static double[] Softmax(double[] scores)
    {
        var max = scores.Max();
        var exps = scores.Select(s => double.IsNegativeInfinity(s) ? 0 : Math.Exp(s - max)).ToArray();
        var sum = exps.Sum();
        return exps.Select(e => e / sum).ToArray();
    }
}
