using System.Globalization;

namespace VerlOrleans.Bench.Inference;

/// <summary>Command-line knobs of the benchmark (<c>--name value</c> pairs), with defaults sized for a 2-core CPU.</summary>
internal sealed record BenchOptions
{
    public string ModelFolder { get; init; } = Path.Combine(Path.GetTempPath(), "verlorleans-bench", "qwen2.5-0.5b-random");
    public int Threads { get; init; } = TorchSharp.torch.get_num_threads();
    public int Prompt { get; init; } = 32;
    public int DecodeTokens { get; init; } = 48;
    public int PeerDecodeTokens { get; init; } = 12;
    public int Batch { get; init; } = 32;
    public int WorkloadRequests { get; init; } = 48;
    public int WorkloadBatch { get; init; } = 16;
    public int Seed { get; init; } = 2024;
    public bool Peer { get; init; } = true;
    public bool Workload { get; init; } = true;
    public IReadOnlyList<string> Distributions { get; init; } = ["uniform", "loguniform"];
    public bool RetiredStatic { get; init; }

    /// <summary>Batch-1 decode measurements, each next to its own read-bandwidth measurement (median and range reported).</summary>
    public int Repeat { get; init; } = 5;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--model-dir" => options with { ModelFolder = Next() },
                "--threads" => options with { Threads = Int() },
                "--prompt" => options with { Prompt = Int() },
                "--decode-tokens" => options with { DecodeTokens = Int() },
                "--peer-decode-tokens" => options with { PeerDecodeTokens = Int() },
                "--batch" => options with { Batch = Int() },
                "--workload-requests" => options with { WorkloadRequests = Int() },
                "--workload-batch" => options with { WorkloadBatch = Int() },
                "--seed" => options with { Seed = Int() },
                "--no-peer" => options with { Peer = false },
                "--no-workload" => options with { Workload = false },
                "--lengths" => options with
                {
                    Distributions = Next() switch
                    {
                        "both" => ["uniform", "loguniform"],
                        var one and ("uniform" or "loguniform") => [one],
                        var other => throw new ArgumentException($"--lengths {other}: use uniform, loguniform or both"),
                    },
                },
                "--retired-static" => options with { RetiredStatic = true },
                "--repeat" => options with { Repeat = Math.Max(1, Int()) },
                _ => throw new ArgumentException($"unknown option {args[i]}; see bench/Inference/README.md"),
            };
        }

        return options;
    }
}
