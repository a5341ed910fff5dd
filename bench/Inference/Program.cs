using System.Diagnostics;
using System.Globalization;
using VerlOrleans.Bench.Inference;
using VerlOrleans.Inference.Engine;
using VerlOrleans.Inference.Scheduling;
using static TorchSharp.torch;

// Inference benchmark on a Qwen2.5-0.5B-shaped model with random weights, float32 on this CPU. Every ratio is
// measured in this one run. Usage and options: bench/Inference/README.md.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var options = BenchOptions.Parse(args);
set_num_threads(options.Threads);
var rows = new List<(string What, string Value, string Note)>();
void Row(string what, string value, string note = "")
{
    rows.Add((what, value, note));
    Console.Error.WriteLine($"  {what}: {value} {note}");
}

var clock = Stopwatch.StartNew();
RandomQwenModel.EnsureWritten(options.ModelFolder, options.Seed);
Console.Error.WriteLine($"model folder {options.ModelFolder} ready ({clock.Elapsed.TotalSeconds:F0} s); {options.Threads} torch threads");

var maxResponse = 512;
var runnerOptions = new TorchRunnerOptions { MaxBatchSize = Math.Max(options.Batch, options.WorkloadBatch), MaxSequenceLength = 64 + maxResponse + 16 };
var plan = TorchModelRunner.Plan(options.ModelFolder, runnerOptions);
var loadClock = Stopwatch.StartNew();
using var runner = TorchModelRunner.Load(options.ModelFolder, runnerOptions);
Row("model", $"{plan.Footprint.ParameterCount:N0} parameters", $"weights {plan.Footprint.WeightBytes / 1e9:F2} GB float32, KV cache {plan.KvCacheBytes / 1e9:F2} GB ({plan.Slots} x {plan.MaxSequenceLength}); loaded in {loadClock.Elapsed.TotalSeconds:F1} s");

// The machine is shared and noisy: each ceiling is measured right before and right after the run it bounds,
// and the mean of the two is used.
// Copy bandwidth counts bytes read plus bytes written (STREAM's convention): a decode step only reads its
// weights, so this is the traffic it can reach; counting a copy's bytes once would halve the limit.
var copyBefore = MachineCeilings.CopyBandwidth();
var decode1 = await EngineBenchmarks.DecodeRate(runner, 1, options.Prompt, options.DecodeTokens);
var copy = (copyBefore + MachineCeilings.CopyBandwidth()) / 2;
var bandwidthLimit = copy / plan.Footprint.WeightBytes;
Row("copy bandwidth", $"{copy / 1e9:F1} GB/s", $"(read: {MachineCeilings.ReadBandwidth() / 1e9:F1} GB/s)");
Row("batch-1 decode", $"{decode1:F2} tok/s", $"limit {bandwidthLimit:F2} (weights / copy bandwidth) -> ratio {decode1 / bandwidthLimit:F2} (target >= 0.7)");

var gemmBefore = MachineCeilings.GemmFlops(runner.Model.Weights, options.Batch);
var decodeN = await EngineBenchmarks.DecodeRate(runner, options.Batch, options.Prompt, options.DecodeTokens);
var gemm = (gemmBefore + MachineCeilings.GemmFlops(runner.Model.Weights, options.Batch)) / 2;
var computeLimit = gemm / (2.0 * plan.Footprint.ParameterCount);
Row($"GEMM at batch {options.Batch}", $"{gemm / 1e9:F1} GFLOP/s", "the model's own projections");
Row($"batch-{options.Batch} decode", $"{decodeN:F1} tok/s", $"limit {computeLimit:F1} (GEMM FLOP/s / 2 params) -> ratio {decodeN / computeLimit:F2} (target >= 0.5)");

if (options.Peer)
{
    var (peer, error) = PeerRun.DecodeRates(options.ModelFolder, options.Threads, options.Prompt, options.PeerDecodeTokens, 1, options.Batch);
    if (peer is null)
    {
        Row("PyTorch peer", "not run", error!);
    }
    else
    {
        Row("PyTorch 1.13 eager peer, batch 1", $"{peer[1]:F2} tok/s", $"ours / peer = {decode1 / peer[1]:F2}");
        Row($"PyTorch 1.13 eager peer, batch {options.Batch}", $"{peer[options.Batch]:F1} tok/s", $"ours / peer = {decodeN / peer[options.Batch]:F2}");
    }
}

if (options.Workload)
{
    // Seeded response lengths in 16..512 (uniform, and log-uniform: most answers short, a few run long) and
    // prompts in 16..64; every policy serves the same requests.
    foreach (var distribution in options.Distributions)
    {
        var random = new Random(options.Seed);
        var lengths = Enumerable.Range(0, options.WorkloadRequests).Select(_ => distribution == "uniform"
            ? random.Next(16, maxResponse + 1)
            : (int)Math.Exp(Math.Log(16) + (random.NextDouble() * (Math.Log(maxResponse + 1) - Math.Log(16))))).ToList();
        var prompts = Enumerable.Range(0, options.WorkloadRequests).Select(_ => random.Next(16, 65)).ToList();
        var batch = options.WorkloadBatch;
        var workload = $"{distribution}: {lengths.Count} requests, responses 16..512 (mean {lengths.Average():F0}), batch {batch}";
        var continuous = await EngineBenchmarks.Workload(runner, prompts, lengths, batch, BatchingPolicy.Continuous, padFinishedRows: false);
        Row($"continuous batching, {distribution}", $"{continuous.TokensPerSecond:F1} tok/s", $"{workload}; {continuous.Seconds:F0} s");
        var hfStatic = await EngineBenchmarks.Workload(runner, prompts, lengths, batch, BatchingPolicy.Static, padFinishedRows: true);
        Row($"static batching (HF generate style), {distribution}", $"{hfStatic.TokensPerSecond:F1} tok/s",
            $"finished rows keep computing; {hfStatic.Seconds:F0} s; continuous / static = {continuous.TokensPerSecond / hfStatic.TokensPerSecond:F2} (target >= 2)");
        if (options.RetiredStatic)
        {
            var retired = await EngineBenchmarks.Workload(runner, prompts, lengths, batch, BatchingPolicy.Static, padFinishedRows: false);
            Row($"static batching, finished rows retired, {distribution}", $"{retired.TokensPerSecond:F1} tok/s",
                $"{retired.Seconds:F0} s; continuous / this = {continuous.TokensPerSecond / retired.TokensPerSecond:F2}");
        }
    }
}

Console.WriteLine();
Console.WriteLine($"| what | measured | notes |");
Console.WriteLine($"|---|---|---|");
foreach (var (what, value, note) in rows)
{
    Console.WriteLine($"| {what} | {value} | {note} |");
}

Console.WriteLine();
Console.WriteLine($"{options.Threads} torch threads, {Environment.ProcessorCount} cores; total {clock.Elapsed.TotalSeconds:F0} s");
