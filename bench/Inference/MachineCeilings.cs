using System.Diagnostics;
using VerlOrleans.Inference.Models;
using static TorchSharp.torch;

namespace VerlOrleans.Bench.Inference;

/// <summary>The limits decode is compared with, measured in the same process: memory bandwidth and GEMM throughput.</summary>
internal static class MachineCeilings
{
    /// <summary>
    /// Memory traffic of copy_ between two 512 MiB float32 tensors, bytes read plus bytes written per second
    /// (STREAM's copy convention), median of 5.
    /// </summary>
    public static double CopyBandwidth()
    {
        using var scope = NewDisposeScope();
        var source = ones(128L << 20);
        var target = zeros(128L << 20);
        return 2.0 * source.NumberOfElements * 4 / Median(5, () => target.copy_(source));
    }

    /// <summary>Bytes read per second by sum() over a 512 MiB float32 tensor (median of 5).</summary>
    public static double ReadBandwidth()
    {
        using var scope = NewDisposeScope();
        var source = ones(128L << 20);
        return source.NumberOfElements * 4 / Median(5, () => source.sum());
    }

    /// <summary>
    /// FLOP/s of exactly the products one decode step of <paramref name="tokens"/> sequences runs (every layer's
    /// fused qkv, o, gate-up and down projections and the lm_head), through the same <see cref="Linear"/> code,
    /// on the loaded weights (median of 3).
    /// </summary>
    public static double GemmFlops(DecoderWeights weights, int tokens)
    {
        using var scope = NewDisposeScope();
        var linears = weights.Layers.SelectMany(l => new[] { l.QkvProj, l.OProj, l.GateUpProj, l.DownProj }).Append(weights.LmHead).ToList();
        var inputs = linears.Select(l => l.Weight.shape[1]).Distinct().ToDictionary(n => n, n => randn(tokens, n));
        var flop = 2.0 * tokens * linears.Sum(l => (double)l.Weight.shape[0] * l.Weight.shape[1]);
        return flop / Median(3, () =>
        {
            using var inner = NewDisposeScope();
            foreach (var linear in linears)
            {
                linear.Forward(inputs[linear.Weight.shape[1]]);
            }
        });
    }

    private static double Median(int runs, Action work)
    {
        work();
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            work();
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        return times.Order().ElementAt(runs / 2);
    }
}
