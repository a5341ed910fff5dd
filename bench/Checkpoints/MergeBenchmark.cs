using System.Diagnostics;
using System.Globalization;
using VerlOrleans.Checkpoints.Synthetic;

namespace VerlOrleans.Bench.Checkpoints;

/// <summary>Generates the synthetic checkpoint, then times baseline copy and merges (each in a child process) side by side.</summary>
internal static class MergeBenchmark
{
    public static int Run(string[] args)
    {
        if (args.Contains("--megatron"))
        {
            return MegatronMergeBenchmark.Run(args);
        }

        if (args.Contains("--lora"))
        {
            return LoraMergeBenchmark.Run(args);
        }

        var layers = Option(args, "--layers", 8);
        var world = Option(args, "--world-size", 4);
        var repeat = Option(args, "--repeat", 2);
        var root = OptionText(args, "--dir") ?? Path.Combine(Path.GetTempPath(), $"verlorleans-merge-bench-{Environment.ProcessId}");
        var keep = args.Contains("--keep");
        var shape = DecoderShape.Qwen25_1_5B(layers);
        var actor = Path.Combine(root, "global_step_1", "actor");
        try
        {
            var generate = Stopwatch.StartNew();
            var bytes = Directory.Exists(actor) ? SourceBytes(actor) : SyntheticShardSet.Write(actor, shape, world);
            var largest = shape.Parameters().Max(p => p.Shape.Aggregate(1L, (a, b) => a * b)) * 4;
            Console.WriteLine(FormattableString.Invariant(
                $"synthetic checkpoint: Qwen2.5-1.5B shapes, {layers} layers, W={world}, fp32 DTensor Shard(0): {bytes / 1e9:F2} GB of tensor data in {generate.Elapsed.TotalSeconds:F1} s; largest tensor {largest / 1e6:F0} MB"));
            var rows = new List<(string Name, double Seconds, long Written, long PeakRss)>();
            for (var i = 0; i < repeat; i++)
            {
                rows.Add(Measure("sequential read+write (baseline)", "child-copy", actor, Path.Combine(root, "copy.bin")));
                rows.Add(Measure("merge --dtype keep (fp32)", "child-merge", actor, Path.Combine(root, "merged-keep"), "keep"));
                rows.Add(Measure("merge --dtype bf16", "child-merge", actor, Path.Combine(root, "merged-bf16"), "bf16"));
            }

            Console.WriteLine();
            Console.WriteLine("| run | wall s | input GB/s | written GB | peak RSS MB | vs baseline (same run) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            for (var i = 0; i < rows.Count; i++)
            {
                var baseline = rows[i / 3 * 3].Seconds;
                var (name, seconds, written, peak) = rows[i];
                Console.WriteLine(FormattableString.Invariant($"| {name} | {seconds:F2} | {bytes / seconds / 1e9:F2} | {written / 1e9:F2} | {peak / 1e6:F0} | {baseline / seconds:F2}x |"));
            }

            var limit = (1.5 * largest) + 300e6;
            var worstPeak = rows.Where(r => r.Name.StartsWith("merge", StringComparison.Ordinal)).Max(r => r.PeakRss);
            Console.WriteLine();
            Console.WriteLine(FormattableString.Invariant($"peak RSS target: <= 1.5 x largest tensor + 300 MB = {limit / 1e6:F0} MB; worst merge peak {worstPeak / 1e6:F0} MB"));
            return 0;
        }
        finally
        {
            if (!keep)
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    internal static (string, double, long, long) Measure(string name, params string[] childArgs)
    {
        var target = childArgs[2];
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(MergeBenchmark).Assembly.Location);
        }

        foreach (var arg in childArgs)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{name} failed: {output}");
        }

        var fields = output.Trim().Split('\n')[^1].Split(' ').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }
        else
        {
            File.Delete(target);
        }

        return (name, double.Parse(fields["elapsed_s"], CultureInfo.InvariantCulture), long.Parse(fields["written"], CultureInfo.InvariantCulture), long.Parse(fields["peak_rss"], CultureInfo.InvariantCulture));
    }

    private static long SourceBytes(string actor) =>
        Directory.EnumerateFiles(actor, "model_world_size_*.pt").Sum(f => new FileInfo(f).Length);

    internal static int Option(string[] args, string name, int fallback) =>
        OptionText(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    internal static string? OptionText(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
