using static TorchSharp.torch;

namespace VerlOrleans.Inference.Sampling;

/// <summary>
/// Log-probabilities of chosen tokens, their ranks and the top alternatives, for many rows of one step's logits in one
/// pass: only the rows asked for are normalised, so a step whose requests ask for none does no extra work.
/// </summary>
public static class LogprobScorer
{
    /// <summary>The most alternatives a request may ask for per position (vLLM's default <c>max_logprobs</c>).</summary>
    public const int MaxTop = 20;

    /// <summary>One result per row of <paramref name="rows"/>; <paramref name="logits"/> is (rows, vocab) float32.</summary>
    public static TokenLogprob[] Compute(Tensor logits, IReadOnlyList<LogprobRow> rows)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        using var scope = NewDisposeScope();
        var device = logits.device;
        var selected = logits.index_select(0, tensor(rows.Select(r => (long)r.LogitsRow).ToArray(), dtype: int64, device: device));
        var logprobs = selected.log_softmax(1);                                                       // (rows, vocab)
        var targets = tensor(rows.Select(r => (long)r.TokenId).ToArray(), dtype: int64, device: device).unsqueeze(1);
        var chosen = logprobs.gather(1, targets);                                                     // (rows, 1)
        var ranks = logprobs.gt(chosen).sum(1).cpu().data<long>().ToArray();
        var chosenValues = chosen.squeeze(1).cpu().data<float>().ToArray();
        var k = Math.Min(rows.Max(r => r.Top), (int)logits.shape[1]);
        float[] topValues = [];
        long[] topIds = [];
        if (k > 0)
        {
            var (values, indices) = logprobs.topk(k, 1);                                             // (rows, k), descending
            topValues = values.cpu().data<float>().ToArray();
            topIds = indices.cpu().data<long>().ToArray();
        }

        var result = new TokenLogprob[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var top = new TopLogprob[Math.Min(rows[i].Top, k)];
            for (var j = 0; j < top.Length; j++)
            {
                top[j] = new TopLogprob((int)topIds[i * k + j], topValues[i * k + j]);
            }

            result[i] = new TokenLogprob(rows[i].TokenId, chosenValues[i], (int)ranks[i] + 1, top);
        }

        return result;
    }
}
