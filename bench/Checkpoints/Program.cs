using System.Diagnostics;
using System.Globalization;
using VerlOrleans.Bench.Checkpoints;
using VerlOrleans.Checkpoints.Lora;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.Synthetic;

// bench/Checkpoints: streaming merge vs a plain sequential read+write of the same bytes, and the merge's
// peak RSS, on a synthetic verl FSDP2 checkpoint (Qwen2.5-1.5B shapes, fp32 DTensor shards).
//   dotnet run -c Release --project bench/Checkpoints -- [--layers 8] [--world-size 4] [--dir /tmp/x] [--repeat 2]
//   dotnet run -c Release --project bench/Checkpoints -- --lora [--layers 4] [--rank 16] [--dir /tmp/x] [--repeat 2]
//   dotnet run -c Release --project bench/Checkpoints -- --megatron [--layers 4] [--tp 2] [--dir /tmp/x] [--repeat 2]   (dist_ckpt and per-rank mp_rank side by side)
//   dotnet run -c Release --project bench/Checkpoints -- write-interop-fixtures DIR
return args switch
{
    ["write-interop-fixtures", var dir] => InteropFixtures.Write(dir),
    ["child-merge", var source, var target, var dtype] => Child.Merge(source, target, dtype),
    ["child-merge-lora", var adapter, var target, var dtype, var baseModel] => Child.MergeLora(adapter, baseModel, target, dtype),
    ["child-copy-file", var source, var target] => Child.CopyFile(source, target),
    ["child-copy", var source, var target] => Child.Copy(source, target),
    ["child-copy-distcp", var source, var target] => Child.Copy(source, target, "*.distcp"),
    ["child-copy-rank-files", var source, var target] => Child.Copy(source, target, "model_optim_rng.pt", SearchOption.AllDirectories),
    _ => MergeBenchmark.Run(args),
};

namespace VerlOrleans.Bench.Checkpoints
{
    /// <summary>The fixtures whose loading by real PyTorch proves our torch.save writer (see tools/checkpoint-fixtures).</summary>
    internal static class InteropFixtures
    {
        public static int Write(string dir)
        {
            Directory.CreateDirectory(dir);
            SyntheticPlainTensors.Write(Path.Combine(dir, "plain-zoo.pt"));
            SyntheticShardSet.Write(Path.Combine(dir, "synthetic-fsdp2-w3"), new DecoderShape(10, 8, 12, 1, 2, 1, false), 3);
            Console.WriteLine($"wrote {dir}");
            return 0;
        }
    }

    /// <summary>Work measured in a child process so its peak RSS is its own.</summary>
    internal static class Child
    {
        public static int Merge(string source, string target, string dtype)
        {
            var stopwatch = Stopwatch.StartNew();
            var result = CheckpointMerger.Merge(source, new MergeOptions(target) { DType = dtype == "keep" ? null : TensorDType.BF16 });
            Report(stopwatch.Elapsed, result.TotalBytes);
            return 0;
        }

        /// <summary>A LoRA adapter merged into its base (W + scale·B·A, float32), written as the base's bf16 or as fp32.</summary>
        public static int MergeLora(string adapter, string baseModel, string target, string dtype)
        {
            var stopwatch = Stopwatch.StartNew();
            var result = CheckpointMerger.Merge(adapter, new MergeOptions(target) { DType = dtype == "keep" ? null : TensorDType.F32, Lora = new LoraOptions(baseModel) });
            Report(stopwatch.Elapsed, result.TotalBytes);
            return 0;
        }

        /// <summary>The LoRA baseline: copy the base's safetensors file (read + write of the same bytes).</summary>
        public static int CopyFile(string source, string target)
        {
            var stopwatch = Stopwatch.StartNew();
            using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
            using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                input.CopyTo(output, 8 << 20);
                output.Flush(flushToDisk: true);
            }

            Report(stopwatch.Elapsed, new FileInfo(target).Length);
            return 0;
        }

        /// <summary>The baseline: read every rank file sequentially and write the same bytes to one new file.</summary>
        public static int Copy(string source, string target, string pattern = "model_world_size_*.pt", SearchOption search = SearchOption.TopDirectoryOnly)
        {
            var stopwatch = Stopwatch.StartNew();
            var buffer = new byte[8 << 20];
            long total = 0;
            using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                foreach (var file in Directory.EnumerateFiles(source, pattern, search).Order(StringComparer.Ordinal))
                {
                    using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
                    int read;
                    while ((read = input.Read(buffer)) > 0)
                    {
                        output.Write(buffer, 0, read);
                        total += read;
                    }
                }

                output.Flush(flushToDisk: true);
            }

            Report(stopwatch.Elapsed, total);
            return 0;
        }

        private static void Report(TimeSpan elapsed, long bytesWritten)
        {
            var status = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            var peakKb = long.Parse(status.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            Console.WriteLine(FormattableString.Invariant($"elapsed_s={elapsed.TotalSeconds:F3} written={bytesWritten} peak_rss={peakKb * 1024}"));
        }
    }
}
