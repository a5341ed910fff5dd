using static TorchSharp.torch;

namespace VerlOrleans.Inference.Sampling;

/// <summary>
/// Draws next tokens from a step's logits for many sequences at once, each with its own parameters.
/// Greedy rows take the argmax. Sampled rows: softmax(logits / T); each filter becomes a per-row probability
/// threshold (top-k: the k-th largest; top-p: the smallest probability of the nucleus, computed after top-k
/// renormalisation as Hugging Face orders them; min-p: MinP times the largest), tokens below it are dropped,
/// and the token is found by inverting the cumulative distribution at the row's uniform draw. Only the
/// candidates are sorted (top-k of at most <see cref="NucleusCandidates"/>); a row whose nucleus is wider falls
/// back to sorting its whole row. Ties at a threshold are all kept.
/// </summary>
public static class TokenSampler
{
    /// <summary>Candidates examined for top-p before a full sort is needed.</summary>
    public const int NucleusCandidates = 1024;

    /// <summary>One token id per row of <paramref name="rows"/>; <paramref name="logits"/> is (rows, vocab) float32.</summary>
    public static int[] Sample(Tensor logits, IReadOnlyList<SampleRow> rows)
    {
        using var scope = NewDisposeScope();
        var result = new int[rows.Count];
        var vocab = (int)logits.shape[1];
        var greedy = Enumerable.Range(0, rows.Count).Where(i => rows[i].Params.IsGreedy).ToList();
        var sampled = Enumerable.Range(0, rows.Count).Where(i => !rows[i].Params.IsGreedy).ToList();
        if (greedy.Count > 0)
        {
            var picks = Select(logits, greedy.Select(i => rows[i].LogitsRow)).argmax(1).cpu().data<long>().ToArray();
            for (var j = 0; j < greedy.Count; j++)
            {
                result[greedy[j]] = (int)picks[j];
            }
        }

        if (sampled.Count > 0)
        {
            var chosen = sampled.Select(i => rows[i]).ToList();
            var picks = Draw(Select(logits, chosen.Select(r => r.LogitsRow)), chosen, vocab);
            for (var j = 0; j < sampled.Count; j++)
            {
                result[sampled[j]] = picks[j];
            }
        }

        return result;
    }

    private static Tensor Select(Tensor logits, IEnumerable<int> rows) =>
        logits.index_select(0, tensor(rows.Select(r => (long)r).ToArray(), dtype: int64, device: logits.device));

    /// <summary>
    /// (rows, vocab) probabilities after temperature and the filters; dropped tokens are 0, kept ones are not
    /// renormalised (the draw scales by the kept mass).
    /// </summary>
    internal static Tensor FilteredProbabilities(Tensor logits, IReadOnlyList<SamplingParams> rows)
    {
        var device = logits.device;
        var vocab = (int)logits.shape[1];
        var temperatures = tensor(rows.Select(r => (float)r.Temperature).ToArray(), device: device).unsqueeze(1);
        var probs = (logits / temperatures).softmax(-1);
        var thresholds = new float[rows.Count];
        var candidates = rows.Max(r => CandidatesNeeded(r, vocab));
        if (candidates > 0)
        {
            var top = probs.topk(candidates, 1).values.cpu().data<float>().ToArray();    // (rows, candidates), descending
            for (var i = 0; i < rows.Count; i++)
            {
                var row = i;
                thresholds[i] = Threshold(rows[i], top.AsSpan(i * candidates, candidates), vocab, () => SortedRow(probs, row));
            }
        }

        return probs.where(probs.ge(tensor(thresholds, device: device).unsqueeze(1)), 0f);
    }

    private static int[] Draw(Tensor logits, IReadOnlyList<SampleRow> rows, int vocab)
    {
        var cdf = FilteredProbabilities(logits, rows.Select(r => r.Params).ToList()).cumsum(1);   // (rows, vocab)
        var uniforms = tensor(rows.Select(r => r.Uniform).ToArray(), dtype: float64, device: logits.device).to(float32).unsqueeze(1);
        var targets = uniforms * cdf.narrow(1, vocab - 1, 1);                                      // u · kept mass
        var picks = searchsorted(cdf, targets, right: true).clamp_max(vocab - 1);
        return picks.cpu().data<long>().ToArray().Select(p => (int)p).ToArray();
    }

    private static int CandidatesNeeded(SamplingParams p, int vocab)
    {
        var needed = 0;
        if (p.TopK > 0 && p.TopK < vocab)
        {
            needed = p.TopK;
        }

        if (p.TopP < 1)
        {
            needed = Math.Max(needed, Math.Min(p.TopK > 0 ? p.TopK : NucleusCandidates, vocab));
        }

        if (p.MinP > 0)
        {
            needed = Math.Max(needed, 1);
        }

        return Math.Min(needed, vocab);
    }

    /// <summary>The smallest probability a row keeps (0 keeps everything).</summary>
    private static float Threshold(SamplingParams p, ReadOnlySpan<float> top, int vocab, Func<float[]> sortedRow)
    {
        var threshold = 0f;
        var topK = p.TopK > 0 && p.TopK < vocab ? p.TopK : 0;
        if (topK > 0)
        {
            threshold = top[topK - 1];
        }

        if (p.TopP < 1)
        {
            // Keep a token while the (renormalised) mass of the more likely ones is below top_p.
            var count = topK > 0 ? topK : top.Length;
            var total = topK > 0 ? Sum(top[..topK]) : 1.0;
            var last = Nucleus(top[..count], total, p.TopP);
            if (last < 0)
            {
                var full = sortedRow();
                last = Nucleus(full, total, p.TopP);
                threshold = Math.Max(threshold, full[Math.Max(last, 0)]);
            }
            else
            {
                threshold = Math.Max(threshold, top[last]);
            }
        }

        if (p.MinP > 0)
        {
            threshold = Math.Max(threshold, (float)(p.MinP * top[0]));
        }

        return threshold;
    }

    /// <summary>Index of the last kept token of a descending list, or -1 when the list ends before the nucleus does.</summary>
    private static int Nucleus(ReadOnlySpan<float> descending, double total, double topP)
    {
        double before = 0;
        for (var j = 0; j < descending.Length; j++)
        {
            if (before / total >= topP)
            {
                return j - 1;
            }

            before += descending[j];
        }

        return before / total >= topP || Math.Abs(before - total) < 1e-6 * total ? descending.Length - 1 : -1;
    }

    private static double Sum(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (var v in values)
        {
            sum += v;
        }

        return sum;
    }

    private static float[] SortedRow(Tensor probs, int row) =>
        probs[row].sort(descending: true).Values.cpu().data<float>().ToArray();
}
