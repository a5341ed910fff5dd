using System.Diagnostics;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Synthetic;

namespace VerlOrleans.Bench.Checkpoints;

/// <summary>
/// <c>--megatron</c>: the same synthetic verl Megatron model (Qwen2.5-1.5B shapes, bf16, TP chunks) in both layouts,
/// the dist_ckpt (layer axis, one torch.save item per chunk) and the per-rank <c>mp_rank_TT/model_optim_rng.pt</c>
/// files, each merged into a Hugging Face folder (fused QKV split per query group, GLU halves) and timed against reading
/// every byte of its files and writing them to one file (each in a child process). Both merges must give the same
/// content hash.
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
            var distBytes = SyntheticMegatronCheckpoint.Write(actor, shape, tp);
            var files = Directory.EnumerateFiles(Path.Combine(actor, "dist_ckpt"), "*.distcp").Count();
            var perRank = Path.Combine(root, "per-rank");
            var perRankBytes = SyntheticMegatronPerRankCheckpoint.Write(perRank, shape, tp);
            Console.WriteLine(FormattableString.Invariant(
                $"synthetic Megatron model: Qwen2.5-1.5B shapes, {layers} layers, TP {tp}, bf16; dist_ckpt {distBytes / 1e9:F2} GB in {files} chunks, per-rank {perRankBytes / 1e9:F2} GB in {tp} mp_rank files; written in {generate.Elapsed.TotalSeconds:F1} s"));
            var rows = new List<(string Name, double Seconds, long Written, long PeakRss, long Bytes)>();
            for (var i = 0; i < repeat; i++)
            {
                rows.Add(With(MergeBenchmark.Measure("dist_ckpt: read+write every .distcp byte (baseline)", "child-copy-distcp", Path.Combine(actor, "dist_ckpt"), Path.Combine(root, "copy.bin")), distBytes));
                rows.Add(With(MergeBenchmark.Measure("dist_ckpt: merge, --dtype keep (bf16)", "child-merge", actor, Path.Combine(root, "merged-keep"), "keep"), distBytes));
                rows.Add(With(MergeBenchmark.Measure("per-rank: read+write every model_optim_rng.pt byte (baseline)", "child-copy-rank-files", perRank, Path.Combine(root, "copy.bin")), perRankBytes));
                rows.Add(With(MergeBenchmark.Measure("per-rank: merge, --dtype keep (bf16)", "child-merge", perRank, Path.Combine(root, "merged-keep"), "keep"), perRankBytes));
            }

            Console.WriteLine();
            Console.WriteLine("| run | wall s | GB/s | written GB | peak RSS MB | vs baseline (same run) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            for (var i = 0; i < rows.Count; i++)
            {
                var baseline = rows[i / 2 * 2].Seconds;
                var (name, seconds, written, peak, bytes) = rows[i];
                Console.WriteLine(FormattableString.Invariant($"| {name} | {seconds:F2} | {bytes / seconds / 1e9:F2} | {written / 1e9:F2} | {peak / 1e6:F0} | {baseline / seconds:F2}x |"));
            }

            var distHash = CheckpointMerger.Merge(actor, new MergeOptions(Path.Combine(root, "check-dist")) { DType = null }).ContentHash;
            var perRankHash = CheckpointMerger.Merge(perRank, new MergeOptions(Path.Combine(root, "check-per-rank")) { DType = null }).ContentHash;
            Console.WriteLine();
            Console.WriteLine(distHash == perRankHash
                ? $"both layouts merge into the same model (content hash {distHash[..16]})"
                : $"the layouts merge into different models: {distHash[..16]} vs {perRankHash[..16]}");
            return distHash == perRankHash ? 0 : 1;
        }
        finally
        {
            if (!args.Contains("--keep"))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static (string, double, long, long, long) With((string Name, double Seconds, long Written, long PeakRss) row, long bytes) =>
        (row.Name, row.Seconds, row.Written, row.PeakRss, bytes);
}
