using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Testing;

namespace VerlOrleans.Bench.OpenAi;

/// <summary>
/// N concurrent streaming /v1 chat clients against the same N prompts as one grid run, on one warm model of one real
/// silo process, alternating which goes first each round so a machine slowing down weighs on both; then (optionally)
/// both at once. Prints a Markdown table.
/// </summary>
internal static class OpenAiBenchmark
{
    public static async Task RunAsync(OpenAiBenchOptions options)
    {
        var loadBefore = LoadAverage();
        var work = Path.Combine(Path.GetTempPath(), $"verlorleans-openai-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        try
        {
            await MeasureAsync(options, work, loadBefore);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task MeasureAsync(OpenAiBenchOptions options, string work, string loadBefore)
    {
        string folder, description;
        if (options.Model == "tiny-chat")
        {
            folder = TinyChatModel.Folder;
            description = "tests/Fixtures/tiny-chat (119k parameters; greedy responses may end at its end token)";
        }
        else
        {
            folder = TextBenchModel.DefaultFolder;
            TextBenchModel.EnsureWritten(folder, options.Seed);
            description = "bench/Grid's BenchModel (Qwen2.5-0.5B shapes, 494M parameters, seeded random weights) with a full-vocabulary tokenizer";
        }

        var workload = Workload.Write(work, options.Clients);
        await using var silo = new SiloProcess { Direct = true };
        silo.Settings["VERLORLEANS__MODELMAXBATCHSIZE"] = Text(options.EngineBatch);
        silo.Settings["VERLORLEANS__MODELMAXSEQUENCELENGTH"] = Text(Math.Max(1024, 256 + options.MaxTokens));
        // Connections Kestrel closes (e.g. a response below its minimum data rate) are logged at Information.
        silo.Settings["Logging__LogLevel__Microsoft.AspNetCore.Server.Kestrel"] = "Information";
        await silo.InitializeAsync();
        try
        {
            await MeasureOnAsync(options, silo, folder, description, workload, work, loadBefore);
        }
        catch (Exception)
        {
            var log = silo.Log.Split('\n');
            Console.Error.WriteLine($"the silo process (exit code {silo.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none: still running"}) last wrote:\n{string.Join('\n', log.TakeLast(80))}");
            throw;
        }
    }

    private static async Task MeasureOnAsync(OpenAiBenchOptions options, SiloProcess silo, string folder, string description, Workload workload, string work, string loadBefore)
    {
        using var http = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromHours(1) };
        var modelId = await RegisterAsync(http, folder);
        Console.Error.WriteLine($"silo at {silo.BaseAddress}, model '{modelId}' ready");

        // Warm both paths (model load, first calls) on two prompts before anything is timed.
        var warmUp = Workload.Write(work, 2);
        await StreamingClients.RunAsync(http, folder, warmUp, 2, new RoundClock());
        var warmRun = await GridRunSide.RunAsync(http, folder, warmUp, 2, new RoundClock());
        var modelKey = warmRun.ModelKey ?? throw new InvalidOperationException("the warm-up run names no model grain");
        var resident = (await http.GetFromJsonAsync<JsonArray>("api/models"))!.FirstOrDefault(m => m!["key"]!.GetValue<string>() == modelKey);
        var residency = resident is null ? "" : $", {resident["dType"]} on {resident["device"]}";
        Console.Error.WriteLine($"warm: model grain {modelKey}{residency}");

        var rounds = new List<Round>();
        for (var r = 0; r < options.Rounds; r++)
        {
            var v1First = r % 2 == 0;
            var (clients, run) = await BothAsync(http, folder, workload, options.MaxTokens, v1First, options.Logprobs);
            ClientResult[]? firstClients = null;
            RunResult? firstRun = null;
            if (options.FirstTokenRounds)
            {
                (firstClients, firstRun) = await BothAsync(http, folder, workload, maxTokens: 1, v1First, options.Logprobs);
            }

            var round = new Round(clients, run, firstClients, firstRun);
            rounds.Add(round);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {r + 1}/{options.Rounds} ({(v1First ? "/v1 first" : "run first")}): /v1 {round.V1TokensPerSecond:F1} tok/s, run {round.RunTokensPerSecond:F1} tok/s, ratio {round.V1TokensPerSecond / round.RunTokensPerSecond:F3}; first text {Median(clients.Select(c => c.TimeToFirstText)):F2} s")
                + (firstRun is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; 1-token first token /v1 {Median(firstClients!.Select(c => c.TimeToFirstText)):F2} s, run {Median(firstRun.Samples.Select(s => s.Done - firstRun.Submitted)):F2} s")));
        }

        Mixed? mixed = null;
        if (options.Mixed)
        {
            await using var counter = await EngineCounter.ConnectAsync(silo, modelKey);
            mixed = await MixedAsync(http, folder, workload, options.MaxTokens, counter);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"mixed: /v1 share {mixed.V1Share:P0}, run share {1 - mixed.V1Share:P0} over the first {mixed.Window:F1} s; engine counted {mixed.EngineTokens} tokens, the two sides {mixed.SideTokens}"));
        }

        PrintTable(options, description + residency, rounds, mixed, loadBefore);
    }

    private static async Task<(ClientResult[] Clients, RunResult Run)> BothAsync(HttpClient http, string folder, Workload workload, int maxTokens, bool v1First, int? logprobs)
    {
        if (v1First)
        {
            var clients = await StreamingClients.RunAsync(http, folder, workload, maxTokens, new RoundClock(), logprobs);
            return (clients, await GridRunSide.RunAsync(http, folder, workload, maxTokens, new RoundClock()));
        }

        var run = await GridRunSide.RunAsync(http, folder, workload, maxTokens, new RoundClock());
        return (await StreamingClients.RunAsync(http, folder, workload, maxTokens, new RoundClock(), logprobs), run);
    }

    /// <summary>
    /// The clients and a run of the same prompts started together. Up to the moment the first of the two finishes, the
    /// streams' tokens are counted from their own text events (each client's usage spread over its events) and the
    /// run's are the engine's count less those.
    /// </summary>
    private static async Task<Mixed> MixedAsync(HttpClient http, string folder, Workload workload, int maxTokens, EngineCounter counter)
    {
        var before = await counter.GeneratedTokensAsync();
        var clock = new RoundClock();
        var polls = new List<(double At, long Tokens)> { (clock.Now, before) };
        var clientsTask = StreamingClients.RunAsync(http, folder, workload, maxTokens, clock);
        var runTask = GridRunSide.RunAsync(http, folder, workload, maxTokens, clock);
        while (!clientsTask.IsCompleted || !runTask.IsCompleted)
        {
            await Task.Delay(100);
            polls.Add((clock.Now, await counter.GeneratedTokensAsync()));
        }

        var clients = await clientsTask;
        var run = await runTask;
        var window = Math.Min(clients.Max(c => c.Done), run.Samples.Max(s => s.Done));
        var v1InWindow = clients.Sum(c => c.TextEvents.Count == 0 ? 0 : (double)c.CompletionTokens * c.TextEvents.Count(t => t <= window) / c.TextEvents.Count);
        var engineInWindow = Interpolate(polls, window) - before;
        return new Mixed(clients, run, window, v1InWindow, engineInWindow, polls[^1].Tokens - before,
            clients.Sum(c => (long)c.CompletionTokens) + run.Samples.Sum(s => (long)s.CompletionTokens));
    }

    private static double Interpolate(List<(double At, long Tokens)> polls, double at)
    {
        for (var i = 1; i < polls.Count; i++)
        {
            if (polls[i].At >= at)
            {
                var (a, b) = (polls[i - 1], polls[i]);
                return a.Tokens + ((b.Tokens - a.Tokens) * (at - a.At) / (b.At - a.At));
            }
        }

        return polls[^1].Tokens;
    }

    private static void PrintTable(OpenAiBenchOptions options, string model, List<Round> rounds, Mixed? mixed, string loadBefore)
    {
        var n = options.Clients;
        var v1Rates = rounds.Select(r => r.V1TokensPerSecond).ToList();
        var runRates = rounds.Select(r => r.RunTokensPerSecond).ToList();
        var ratios = rounds.Select(r => r.V1TokensPerSecond / r.RunTokensPerSecond).ToList();
        var allClients = rounds.SelectMany(r => r.Clients).ToList();
        var allSamples = rounds.SelectMany(r => r.Run.Samples).ToList();
        var last = rounds[^1];
        var identical = last.Clients.Count(c => last.Run.Samples.Any(s => s.Index == c.Index && s.Text == c.Text && s.PromptTokens == c.PromptTokens));

        Console.WriteLine();
        Console.WriteLine($"/v1 vs the grid's runs on one warm model: {model}; {n} distinct chat prompts x {options.MaxTokens} tokens, greedy; "
            + $"one silo process on 127.0.0.1 (engine batch {options.EngineBatch}); rounds: {options.Rounds}, alternating which side goes first; "
            + $"{Environment.ProcessorCount} cores, load average before {loadBefore}, after {LoadAverage()}; {DateTime.UtcNow:yyyy-MM-dd}");
        Console.WriteLine();
        Console.WriteLine($"| measured | /v1: {n} concurrent streaming chat clients{(options.Logprobs is { } k ? $" asking for logprobs (top {k})" : "")} | grid: one run of the same {n} prompts (all in flight) | /v1 ÷ run |");
        Console.WriteLine("|---|---|---|---|");
        Row($"generated tokens/s, all {n} together (median of {rounds.Count} rounds)", $"{Median(v1Rates):F1}", $"{Median(runRates):F1}",
            $"**{Median(ratios):F3}** (rounds: {string.Join(" / ", ratios.Select(r => r.ToString("F3", CultureInfo.InvariantCulture)))})");
        Row("time to first token under that load, median / p90 / max", Spread(allClients.Select(c => c.TimeToFirstText)) + " (request → first SSE event with text)",
            $"a run hands back whole responses: first after {Median(rounds.Select(r => r.Run.Samples.Min(s => s.Done) - r.Run.Submitted)):F2} s (median), all after {Median(rounds.Select(r => r.Run.Samples.Max(s => s.Done) - r.Run.Submitted)):F2} s", "");
        if (rounds[0].FirstRun is not null)
        {
            var v1First = rounds.SelectMany(r => r.FirstClients!).Select(c => c.TimeToFirstText).ToList();
            var runFirst = rounds.SelectMany(r => r.FirstRun!.Samples.Select(s => s.Done - r.FirstRun.Submitted)).ToList();
            Row($"time to first token, the same {n} prompts with max_tokens 1, median / p90 / max", Spread(v1First) + " (request → its event)",
                Spread(runFirst) + " (submit → response back in the run)", $"{Median(v1First) / Median(runFirst):F3} (medians)");
        }

        Row("per-sequence tokens/s, median (min–max)", PerSequence(allClients.Select(c => c.TokensPerSecond)) + " (tokens ÷ request → [DONE])",
            PerSequence(allSamples.Select(s => s.TokensPerSecond)) + " (tokens ÷ the run's generate call)", "");
        Row("tokens generated per response (min–max); prompt tokens (min–max)",
            $"{allClients.Min(c => c.CompletionTokens)}–{allClients.Max(c => c.CompletionTokens)}; {allClients.Min(c => c.PromptTokens)}–{allClients.Max(c => c.PromptTokens)} (usage)",
            $"{allSamples.Min(s => s.CompletionTokens)}–{allSamples.Max(s => s.CompletionTokens)}; {allSamples.Min(s => s.PromptTokens)}–{allSamples.Max(s => s.PromptTokens)} (results.jsonl)", "");
        Row("submit → run completed (results and metrics written), median", "", $"{Median(rounds.Select(r => r.Run.Completed - r.Run.Submitted)):F2} s", "");
        Row("greedy responses identical to the run's (last round)", $"{identical}/{n}", "", "");
        if (mixed is not null)
        {
            var combined = mixed.EngineTokensInWindow / mixed.Window;
            Row($"both at once: the {n} clients and the run started together",
                $"{mixed.V1TokensPerSecond:F1} tok/s over its own span; **{mixed.V1Share:P0}** of the tokens; first text median {Median(mixed.Clients.Select(c => c.TimeToFirstText)):F2} s",
                $"{mixed.RunTokensPerSecond:F1} tok/s over its own span; **{1 - mixed.V1Share:P0}** of the tokens",
                $"shares over the first {mixed.Window:F1} s (until one side finished): {combined:F1} tok/s together (alone, median: /v1 {Median(v1Rates):F1}, run {Median(runRates):F1})");
        }
    }

    private static void Row(string what, string v1, string run, string ratio) => Console.WriteLine($"| {what} | {v1} | {run} | {ratio} |");

    private static async Task<string> RegisterAsync(HttpClient http, string folder)
    {
        using var response = await http.PostAsJsonAsync("api/checkpoints", new { path = folder });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"registering {folder}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (DateTime.UtcNow < deadline)
        {
            var models = (await http.GetFromJsonAsync<JsonObject>("v1/models"))!["data"]!.AsArray();
            if (models.FirstOrDefault(m => m!["verlorleans.path"]!.GetValue<string>() == folder) is { } model)
            {
                switch (model["verlorleans.state"]!.GetValue<string>())
                {
                    case "Ready":
                        return model["id"]!.GetValue<string>();
                    case "Invalid" or "Failed":
                        throw new InvalidOperationException($"{folder} could not be prepared: {model.ToJsonString()}");
                }
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"{folder} was not ready within 10 minutes");
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static double Median(IEnumerable<double> values) => Percentile(values.ToList(), 0.5);

    /// <summary>Nearest rank.</summary>
    private static double Percentile(List<double> values, double p)
    {
        values.Sort();
        return values[Math.Max(0, (int)Math.Ceiling(p * values.Count) - 1)];
    }

    private static string Spread(IEnumerable<double> seconds)
    {
        var list = seconds.ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{Percentile(list, 0.5):F2} / {Percentile(list, 0.9):F2} / {list.Max():F2} s");
    }

    private static string PerSequence(IEnumerable<double> rates)
    {
        var list = rates.ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{Median(list):F2} ({list.Min():F2}–{list.Max():F2})");
    }

    /// <summary>All clients' tokens over the time from the first request to the last <c>[DONE]</c>.</summary>
    private static double Rate(IReadOnlyList<ClientResult> clients) => clients.Sum(c => c.CompletionTokens) / (clients.Max(c => c.Done) - clients.Min(c => c.Sent));

    /// <summary>The run's tokens over the time from submitting it to its last response coming back.</summary>
    private static double Rate(RunResult run) => run.Samples.Sum(s => s.CompletionTokens) / (run.Samples.Max(s => s.Done) - run.Submitted);

    /// <summary>One round: both sides at full length, and with one-token responses when those are timed.</summary>
    private sealed record Round(ClientResult[] Clients, RunResult Run, ClientResult[]? FirstClients, RunResult? FirstRun)
    {
        public double V1TokensPerSecond => Rate(Clients);

        public double RunTokensPerSecond => Rate(Run);
    }

    /// <summary>Both at once; <see cref="Window"/> is the time until the first of the two finished, with the tokens each made in it.</summary>
    private sealed record Mixed(ClientResult[] Clients, RunResult Run, double Window, double V1TokensInWindow, double EngineTokensInWindow, long EngineTokens, long SideTokens)
    {
        public double V1Share => V1TokensInWindow / EngineTokensInWindow;

        public double V1TokensPerSecond => Rate(Clients);

        public double RunTokensPerSecond => Rate(Run);
    }
}
