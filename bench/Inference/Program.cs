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
// Batch 1 only reads the weights, once per token: its limit is weight bytes / read bandwidth. Each of the runs is
// bracketed by its own read-bandwidth measurements (the VM's bandwidth moves from minute to minute).
var ratios = new List<(double Rate, double Read, double Ratio)>();
for (var i = 0; i < options.Repeat; i++)
{
    var readBefore = MachineCeilings.ReadBandwidth();
    var rate = await EngineBenchmarks.DecodeRate(runner, 1, options.Prompt, options.DecodeTokens);
    var read = (readBefore + MachineCeilings.ReadBandwidth()) / 2;
    ratios.Add((rate, read, rate / (read / plan.Footprint.WeightBytes)));
    Console.Error.WriteLine($"  batch-1 run {i + 1}: {rate:F2} tok/s, read bandwidth {read / 1e9:F1} GB/s, ratio {ratios[^1].Ratio:F2}");
}

var byRatio = ratios.OrderBy(r => r.Ratio).ToList();
var median = byRatio[byRatio.Count / 2];
var decode1 = ratios.Select(r => r.Rate).Order().ElementAt(ratios.Count / 2);
Row("read bandwidth", $"{ratios.Select(r => r.Read).Order().ElementAt(ratios.Count / 2) / 1e9:F1} GB/s", $"sum() over 512 MiB around each run, median; range {ratios.Min(r => r.Read) / 1e9:F1}-{ratios.Max(r => r.Read) / 1e9:F1} GB/s; copy (read + write): {MachineCeilings.CopyBandwidth() / 1e9:F1} GB/s");
Row("batch-1 decode", $"{decode1:F2} tok/s", $"median of {ratios.Count}, range {ratios.Min(r => r.Rate):F2}-{ratios.Max(r => r.Rate):F2}");
Row("batch-1 share of the read-bandwidth limit", $"{median.Ratio:F2}",
    $"median of {ratios.Count}, range {byRatio[0].Ratio:F2}-{byRatio[^1].Ratio:F2} (target >= 0.7); each run's rate / its own limit (weights {plan.Footprint.WeightBytes / 1e9:F2} GB / the read bandwidth around it); " +
    $"the median run: {median.Rate:F2} tok/s against {median.Read / plan.Footprint.WeightBytes:F2} tok/s at {median.Read / 1e9:F1} GB/s");

// The parts' GB/s are set against the read bandwidth measured around this pass itself, not the median run's.
var readBeforeProfile = MachineCeilings.ReadBandwidth();
var (parts, wall) = await EngineBenchmarks.ProfileDecode(runner, options.Prompt, options.DecodeTokens);
var profileRead = (readBeforeProfile + MachineCeilings.ReadBandwidth()) / 2;
var weights = runner.Model.Weights;
var productBytes = new Dictionary<string, double>
{
    ["product: qkv_proj"] = weights.Layers.Sum(l => l.QkvProj.Weight.NumberOfElements * 4.0),
    ["product: o_proj"] = weights.Layers.Sum(l => l.OProj.Weight.NumberOfElements * 4.0),
    ["product: gate_up_proj"] = weights.Layers.Sum(l => l.GateUpProj.Weight.NumberOfElements * 4.0),
    ["product: down_proj"] = weights.Layers.Sum(l => l.DownProj.Weight.NumberOfElements * 4.0),
    ["product: lm_head"] = weights.LmHead.Weight.NumberOfElements * 4.0,
};
foreach (var (part, seconds) in parts.Append(("engine loop outside the runner (scheduling, hand-offs, detokenizing)", Math.Max(0, wall - parts.Sum(p => p.Seconds)))))
{
    var rate = productBytes.TryGetValue(part, out var bytes) ? $"; {bytes / seconds / 1e9:F1} GB/s of weights ({bytes / seconds / profileRead:P0} of the {profileRead / 1e9:F1} GB/s read around this pass)" : "";
    Row($"  step part: {part}", $"{seconds * 1e3:F2} ms/token", $"{seconds / wall:P0} of the step{rate}");
}

Row("  step total", $"{wall * 1e3:F2} ms/token", $"{1 / wall:F2} tok/s with the profile attached");

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
