using System.Diagnostics;
using VerlOrleans.Checkpoints.Synthetic;

namespace VerlOrleans.Bench.Checkpoints;

/// <summary>
/// <c>--lora</c>: a synthetic PEFT adapter (rank r on all seven projections, fp32) over a synthetic bf16 Hugging Face base
/// (Qwen2.5-1.5B shapes), merged into a full folder; timed against copying the base file (each in a child process).
/// </summary>
internal static class LoraMergeBenchmark
{
    public static int Run(string[] args)
    {
        var layers = MergeBenchmark.Option(args, "--layers", 4);
        var rank = MergeBenchmark.Option(args, "--rank", 16);
        var repeat = MergeBenchmark.Option(args, "--repeat", 2);
        var root = MergeBenchmark.OptionText(args, "--dir") ?? Path.Combine(Path.GetTempPath(), $"verlorleans-lora-bench-{Environment.ProcessId}");
        var shape = DecoderShape.Qwen25_1_5B(layers);
        try
        {
            var generate = Stopwatch.StartNew();
            var bytes = SyntheticLoraAdapter.Write(root, shape, rank, alpha: 2.0 * rank);
            var adapter = Path.Combine(root, "adapter");
            var baseModel = Path.Combine(root, "base");
            var adapterBytes = new FileInfo(Path.Combine(adapter, "adapter_model.safetensors")).Length;
            var targeted = shape.Parameters().Where(p => SyntheticLoraAdapter.Targets.Any(t => p.Name.EndsWith($".{t}.weight", StringComparison.Ordinal))).Sum(p => p.Shape[0] * p.Shape[1]);
            Console.WriteLine(FormattableString.Invariant(
                $"synthetic LoRA: Qwen2.5-1.5B shapes, {layers} layers, bf16 base {bytes / 1e9:F2} GB, fp32 adapter r {rank} on {SyntheticLoraAdapter.Targets.Length} projections x {layers} layers ({adapterBytes / 1e6:F1} MB), {targeted / 1e6:F0} M targeted weights, written in {generate.Elapsed.TotalSeconds:F1} s"));
            var rows = new List<(string Name, double Seconds, long Written, long PeakRss)>();
            for (var i = 0; i < repeat; i++)
            {
                rows.Add(MergeBenchmark.Measure("copy the base file (baseline)", "child-copy-file", Path.Combine(baseModel, "model.safetensors"), Path.Combine(root, "copy.bin")));
                rows.Add(MergeBenchmark.Measure("merge LoRA, --dtype keep (bf16)", "child-merge-lora", adapter, Path.Combine(root, "merged-keep"), "keep", baseModel));
                rows.Add(MergeBenchmark.Measure("merge LoRA, --dtype fp32", "child-merge-lora", adapter, Path.Combine(root, "merged-f32"), "fp32", baseModel));
            }

            Console.WriteLine();
            Console.WriteLine("| run | wall s | base GB/s | written GB | peak RSS MB | vs baseline (same run) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            for (var i = 0; i < rows.Count; i++)
            {
                var baseline = rows[i / 3 * 3].Seconds;
                var (name, seconds, written, peak) = rows[i];
                Console.WriteLine(FormattableString.Invariant($"| {name} | {seconds:F2} | {bytes / seconds / 1e9:F2} | {written / 1e9:F2} | {peak / 1e6:F0} | {baseline / seconds:F2}x |"));
            }

            var flops = 2.0 * targeted * rank;
            var best = rows.Where(r => r.Name.StartsWith("merge", StringComparison.Ordinal)).Min(r => r.Seconds);
            Console.WriteLine();
            Console.WriteLine(FormattableString.Invariant($"LoRA update: {flops / 1e9:F1} GFLOP (2 x targeted weights x r); fastest merge {flops / best / 1e9:F1} GFLOP/s including all I/O"));
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
