using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using VerlOrleans.Cli;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Evaluation.Results;

namespace VerlOrleans.Bench.Grid;

/// <summary>
/// The same evaluation runs two ways, side by side in one process tree: one <c>verlorleans eval</c> process per run after
/// another (load, run, exit: what users do today), and all runs submitted at once to an in-process silo whose model is
/// already warm (the grid). Then the time from starting a run to its first generated token on the warm model, beside the
/// model's own prefill of such a prompt and the time <c>submit</c> takes to have a run accepted.
/// </summary>
internal static class GridBenchmark
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static async Task RunAsync(GridBenchOptions options)
    {
        var table = new List<(string What, string Value, string Note)>();
        void Row(string what, string value, string note = "")
        {
            table.Add((what, value, note));
            Console.Error.WriteLine($"  {what}: {value} {note}");
        }

        var work = Path.Combine(Path.GetTempPath(), $"verlorleans-grid-bench-{Environment.ProcessId}");
        try
        {
            var clock = Stopwatch.StartNew();
            BenchModel.EnsureWritten(options.ModelFolder, options.Seed);
            Console.Error.WriteLine($"model folder {options.ModelFolder} ready ({clock.Elapsed.TotalSeconds:F0} s)");
            await using var silo = await InProcessSilo.StartAsync(Path.Combine(work, "grid"), options.Runs * options.BatchSize, options.MaxPromptLength + options.MaxTokens);
            var workload = $"{options.Runs} runs x {options.Prompts} gsm8k prompts (last {options.MaxPromptLength} tokens) x {options.MaxTokens} tokens, greedy, {options.BatchSize} in flight per run";
            Console.Error.WriteLine(workload);

            clock.Restart();
            var warmUp = await WaitCompletedAsync(silo, await SubmitAsync(silo, options, options.EvaluationArguments(-1, prompts: 1, maxTokens: 1)));
            Row("grid: first run (cold model load, 1 prompt, 1 token)", $"{clock.Elapsed.TotalSeconds:F1} s", "in-process silo, model grain loads on first use");
            var model = silo.Grains.GetGrain<IModelGrain>(warmUp.ModelKey!);

            var sequential = new List<(double Seconds, IReadOnlyList<SampleResult> Results)>();
            for (var i = 0; i < options.Runs; i++)
            {
                sequential.Add(await ColdEvalAsync(options, i, Path.Combine(work, $"eval-{i}")));
                Console.Error.WriteLine($"  cold eval process {i + 1}/{options.Runs}: {sequential[^1].Seconds:F1} s");
            }

            var sequentialSeconds = sequential.Sum(s => s.Seconds);
            var sequentialTokens = sequential.Sum(s => Tokens(s.Results));
            Row($"sequential: {options.Runs} x `verlorleans eval` process", $"{sequentialSeconds:F1} s, {sequentialTokens / sequentialSeconds:F1} tok/s",
                $"cold load each; per process {string.Join(" / ", sequential.Select(s => s.Seconds.ToString("F1", CultureInfo.InvariantCulture)))} s");

            clock.Restart();
            var ids = await Task.WhenAll(Enumerable.Range(0, options.Runs).Select(i => SubmitAsync(silo, options, options.EvaluationArguments(i, options.Prompts, options.MaxTokens))));
            var concurrent = await Task.WhenAll(ids.Select(id => WaitCompletedAsync(silo, id)));
            var concurrentSeconds = clock.Elapsed.TotalSeconds;
            var grid = await Task.WhenAll(concurrent.Select(s => ResultsReader.ReadJsonlAsync(Path.Combine(s.ResultsDirectory!, ResultsFolder.ResultsJsonlFile))));
            var concurrentTokens = grid.Sum(Tokens);
            var engine = await model.GetStatusAsync();
            Row($"grid: {options.Runs} concurrent runs on the warm model", $"{concurrentSeconds:F1} s, {concurrentTokens / concurrentSeconds:F1} tok/s",
                $"submitted with the CLI; up to {engine.MaxStepCallers} runs shared one engine step");
            Row("throughput, grid / sequential", $"{concurrentTokens / concurrentSeconds / (sequentialTokens / sequentialSeconds):F2}x",
                $"{concurrentTokens} vs {sequentialTokens} tokens; same responses: {(SameResponses(sequential.Select(s => s.Results), grid) ? "yes" : "NO")}");

            // `verlorleans submit` is its own process for users; here it runs in the benchmark's process, and the client
            // host it builds and drops per call leaves garbage whose collection would land in the first token it times.
            // So the CLI's own time is measured on its own, and the first token from a grain call with the spec the CLI
            // built (a fresh shuffle seed per trial).
            var submitReturns = new List<double>();
            string? cliRun = null;
            for (var trial = 0; trial < options.TtftTrials; trial++)
            {
                clock.Restart();
                cliRun = await SubmitAsync(silo, options, options.EvaluationArguments(1000 + trial, prompts: 1, maxTokens: 1));
                submitReturns.Add(clock.Elapsed.TotalMilliseconds);
                await WaitCompletedAsync(silo, cliRun);
            }

            var template = (await silo.Grains.GetGrain<IEvaluationRunGrain>(cliRun!).GetStatusAsync()).Spec!;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var firstTokens = new List<double>();
            for (var trial = 0; trial < options.TtftTrials; trial++)
            {
                firstTokens.Add(await TimeToFirstTokenAsync(silo, template with { Seed = 2000 + trial }));
            }

            Row("start run -> first generated token (warm model)", Summary(firstTokens),
                $"{options.TtftTrials} trials, 1 prompt each, from the run grain call to the token's return to the run");
            Row("`verlorleans submit` returns (run accepted)", Summary(submitReturns), "in-process CLI: parse, connect a cluster client, start the run, print its id");

            // The same first token without the grid around it: the model's prefill of one prompt as long as the runs' prompts.
            var direct = new List<double>();
            var prompt = Enumerable.Range(32, options.MaxPromptLength).ToList();
            for (var trial = 0; trial < options.TtftTrials; trial++)
            {
                clock.Restart();
                await model.GenerateAsync(new ModelLoadSpec(options.ModelFolder), new GenerationCall("bench-direct", prompt, new Contracts.Models.SamplingSettings { MaxTokens = 1 }));
                direct.Add(clock.Elapsed.TotalMilliseconds);
            }

            Row($"model grain alone: 1 token for a {options.MaxPromptLength}-token prompt", Summary(direct),
                "the prefill inside the row above; the rest is the run grain (dataset, prompts, scheduling)");
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }

        Console.WriteLine();
        Console.WriteLine("| what | measured | note |");
        Console.WriteLine("|---|---|---|");
        foreach (var (what, value, note) in table)
        {
            Console.WriteLine($"| {what} | {value} | {note} |");
        }
    }

    /// <summary>The child-process side: <c>verlorleans eval</c> in a fresh process, timed from start to exit.</summary>
    private static async Task<(double Seconds, IReadOnlyList<SampleResult> Results)> ColdEvalAsync(GridBenchOptions options, int index, string output)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(GridBenchmark).Assembly.Location);
        }

        foreach (var arg in (string[])["child-eval", "--model", options.ModelFolder, "--out", output, .. options.EvaluationArguments(index, options.Prompts, options.MaxTokens)])
        {
            start.ArgumentList.Add(arg);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"eval {index} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }

        return (seconds, await ResultsReader.ReadJsonlAsync(Path.Combine(output, ResultsFolder.ResultsJsonlFile)));
    }

    /// <summary>Runs <c>verlorleans submit</c> in this process against the silo's gateway; returns the id it printed last.</summary>
    internal static async Task<string> SubmitAsync(InProcessSilo silo, GridBenchOptions options, string[] evaluation)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] args = ["submit", "--checkpoint", options.ModelFolder, .. evaluation,
            "--cluster", $"127.0.0.1:{silo.GatewayPort.ToString(CultureInfo.InvariantCulture)}", "--cluster-id", silo.ClusterId];
        var exit = await CliApp.Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return exit == 0 ? output.ToString().TrimEnd().Split('\n')[^1] : throw new InvalidOperationException($"submit exited with {exit}: {error}");
    }

    internal static async Task<RunStatus> WaitCompletedAsync(InProcessSilo silo, string runId)
    {
        var run = silo.Grains.GetGrain<IEvaluationRunGrain>(runId);
        while (true)
        {
            var status = await run.GetStatusAsync();
            if (status.State.IsFinished())
            {
                return status.State == RunState.Completed ? status : throw new InvalidOperationException($"run {runId} {status.State}: {status.Error}");
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>
    /// Starts a one-prompt, one-token run and reads when its token came back from the run's own results (the sample's
    /// start time plus its generation time): the first token, measured without polling anything while it is computed
    /// (a tight status poll takes one of the two cores from the prefill).
    /// </summary>
    private static async Task<double> TimeToFirstTokenAsync(InProcessSilo silo, RunSpec spec)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var id = $"ttft-{Guid.NewGuid():N}";
        await silo.Grains.GetGrain<IEvaluationRunGrain>(id).StartAsync(spec);
        var status = await WaitCompletedAsync(silo, id);
        var sample = (await ResultsReader.ReadJsonlAsync(Path.Combine(status.ResultsDirectory!, ResultsFolder.ResultsJsonlFile))).Single();
        var tokenAt = sample.StartedAt!.Value + TimeSpan.FromSeconds(sample.GenerationSeconds!.Value);
        return (tokenAt - startedAt).TotalMilliseconds;
    }

    internal static long Tokens(IReadOnlyList<SampleResult> results) => results.Sum(r => (long)(r.ResponseTokens ?? 0));

    /// <summary>Greedy decoding: each run's responses must not depend on how it was served.</summary>
    private static bool SameResponses(IEnumerable<IReadOnlyList<SampleResult>> a, IEnumerable<IReadOnlyList<SampleResult>> b) =>
        a.Zip(b).All(pair => pair.First.Count == pair.Second.Count
            && pair.First.ToDictionary(r => (r.Uid, r.SampleIndex), r => (r.ResponseText, r.ResponseTokens))
                .All(r => pair.Second.Any(s => (s.Uid, s.SampleIndex) == r.Key && (s.ResponseText, s.ResponseTokens) == r.Value)));

    internal static string Summary(List<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Count / 2]:F0} ms (min {sorted[0]:F0}, max {sorted[^1]:F0})");
    }
}
