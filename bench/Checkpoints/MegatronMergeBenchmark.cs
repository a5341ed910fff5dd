using System.Diagnostics;
using VerlOrleans.Checkpoints.Synthetic;

namespace VerlOrleans.Bench.Checkpoints;

/// <summary>
/// <c>--megatron</c>: a synthetic verl Megatron dist_ckpt (Qwen2.5-1.5B shapes, bf16, TP chunks, layer axis) merged into
/// a Hugging Face folder (fused QKV split per query group, GLU halves), timed against reading every <c>.distcp</c> byte
/// and writing it to one file (each in a child process).
/// </summary>
internal static class MegatronMergeBenchmark
{
    public static int Run(string[] args)
    {
        var layers = MergeBenchmark.Option(args, "--layers", 4);
        var tp = MergeBenchmark.Option(args, "--tp", 2);
        var repeat = MergeBenchmark.Option(args, "--repeat", 2);
        var root = MergeBenchmark.OptionText(args, "--dir") ?? Path.Combine(Path.GetTempPath(), $"verlorleans-megatron-bench-{Environment.ProcessId}");
        var shape = DecoderShape.Qwen25_1_5B(layers);
        try
        {
            var generate = Stopwatch.StartNew();
            var actor = Path.Combine(root, "actor");
            var bytes = SyntheticMegatronCheckpoint.Write(actor, shape, tp);
            var files = Directory.EnumerateFiles(Path.Combine(actor, "dist_ckpt"), "*.distcp").Count();
            Console.WriteLine(FormattableString.Invariant(
                $"synthetic Megatron dist_ckpt: Qwen2.5-1.5B shapes, {layers} layers, TP {tp}, bf16, {bytes / 1e9:F2} GB in {files} chunks, written in {generate.Elapsed.TotalSeconds:F1} s"));
            var rows = new List<(string Name, double Seconds, long Written, long PeakRss)>();
            for (var i = 0; i < repeat; i++)
            {
                rows.Add(MergeBenchmark.Measure("read+write every .distcp byte (baseline)", "child-copy-distcp", Path.Combine(actor, "dist_ckpt"), Path.Combine(root, "copy.bin")));
                rows.Add(MergeBenchmark.Measure("merge Megatron, --dtype keep (bf16)", "child-merge", actor, Path.Combine(root, "merged-keep"), "keep"));
            }

            Console.WriteLine();
            Console.WriteLine("| run | wall s | GB/s | written GB | peak RSS MB | vs baseline (same run) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            for (var i = 0; i < rows.Count; i++)
            {
                var baseline = rows[i / 2 * 2].Seconds;
                var (name, seconds, written, peak) = rows[i];
                Console.WriteLine(FormattableString.Invariant($"| {name} | {seconds:F2} | {bytes / seconds / 1e9:F2} | {written / 1e9:F2} | {peak / 1e6:F0} | {baseline / seconds:F2}x |"));
            }

            return 0;
        }
        finally
        {
            if (!args.Contains("--keep"))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
