using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using VerlOrleans.Testing;

namespace VerlOrleans.Bench.Dashboard;

/// <summary>
/// The same evaluation run (the tiny chat model, greedy, n = 2 over verl's gsm8k test rows) on one real silo process,
/// alternately with no browser and with N Chromium tabs open on live pages of that very run (run overview, its samples
/// grid, the runs list, the overview, the models page). The run's own start-to-finish time is compared: the tabs must
/// not slow it. Rounds alternate (none, tabs, none, tabs, …) after a warm-up so drift hits both sides alike.
/// </summary>
public static class DashboardBenchmark
{
    private static readonly string[] DefaultPages = ["runs/{0}", "runs/{0}/samples", "runs", "home", "models"];

    public static async Task<int> RunAsync(DashboardBenchOptions options)
    {
        var shared = RepositoryPaths.SharedFolder ?? throw new InvalidOperationException("../shared (verl's gsm8k parquet) is missing next to the checkout");
        var gsm8k = Path.Combine(shared, "data", "verl-data", "gsm8k_test.parquet");
        await using var silo = new SiloProcess();
        await silo.InitializeAsync();
        using var http = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu"],
        });
        if (options.SplitCores)
        {
            // Every thread of the silo on core 0, the browser on core 1: its renderers and helpers inherit that. The run
            // then competes with the tabs only through what the silo does to serve them, as with a browser elsewhere.
            Pin(SiloProcesses(), core: 0);
            Pin(BrowserProcesses(), core: 1);
        }

        Console.WriteLine($"dashboard benchmark: {options.Samples} samples per run (n = 2, {options.Tabs} tabs, {options.MaxTokens} tokens, pages {string.Join(' ', options.Pages ?? DefaultPages)}), {Environment.ProcessorCount} cores, Chromium {(options.NiceBrowser ? "at nice 19" : "at normal priority")}{(options.SplitCores ? ", silo on core 0 and Chromium on core 1" : ", silo and Chromium on every core")}, {DateTime.UtcNow:yyyy-MM-dd}");
        var warmUp = await RunOnceAsync(http, browser, silo.BaseAddress, gsm8k, options with { Samples = 64 }, "warm-up", tabs: 0);
        Console.WriteLine($"warm-up: {warmUp.Seconds:0.0} s");

        var results = new List<Trial>();
        for (var round = 0; round < options.Rounds; round++)
        {
            foreach (var tabs in new[] { 0, options.Tabs })
            {
                var trial = await RunOnceAsync(http, browser, silo.BaseAddress, gsm8k, options, $"r{round}-t{tabs}", tabs);
                results.Add(trial);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}, {tabs} tabs: {trial.Seconds:0.0} s, {trial.SamplesPerSecond:0.0} samples/s, {trial.TokensPerSecond:0} tokens/s, silo CPU {trial.SiloCpuSeconds:0.0} s, Chromium CPU {trial.BrowserCpuSeconds:0.0} s, pushes received by the tabs {trial.PushesSeen}"));
            }
        }

        var without = results.Where(r => r.Tabs == 0).ToList();
        var with = results.Where(r => r.Tabs > 0).ToList();
        Console.WriteLine();
        Console.WriteLine("| open tabs | runs | median run time (s) | median samples/s | median silo CPU (s) | median Chromium CPU (s) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var group in new[] { without, with })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {group[0].Tabs} | {group.Count} | {Median(group.Select(r => r.Seconds)):0.0} | {Median(group.Select(r => r.SamplesPerSecond)):0.0} | {Median(group.Select(r => r.SiloCpuSeconds)):0.0} | {Median(group.Select(r => r.BrowserCpuSeconds)):0.0} |"));
        }

        var ratio = Median(with.Select(r => r.SamplesPerSecond)) / Median(without.Select(r => r.SamplesPerSecond));
        var siloCost = Median(with.Select(r => r.SiloCpuSeconds / r.Samples)) / Median(without.Select(r => r.SiloCpuSeconds / r.Samples));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\nthroughput with {options.Tabs} tabs / without: {ratio:0.000} (1.000 = no cost)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"silo CPU per sample with {options.Tabs} tabs / without: {siloCost:0.000} (what serving the tabs costs the silo itself; Chromium runs on the same {Environment.ProcessorCount} cores here)"));
        return 0;
    }

    private static async Task<Trial> RunOnceAsync(HttpClient http, IBrowser browser, Uri baseAddress, string gsm8k, DashboardBenchOptions options, string name, int tabs)
    {
        var runId = $"bench-{name}-{Guid.NewGuid():N}"[..32];
        var spec = new
        {
            checkpoint = TinyChatModel.Folder,
            dataFiles = new[] { gsm8k },
            maxSamples = options.Samples / 2,
            sampling = new { n = 2, temperature = 1.0, seed = 11, maxTokens = options.MaxTokens },
            prompt = new { maxPromptLength = 512, truncation = "left" },
            batchSize = 64,
        };
        // The tabs open on the run's own pages before it starts, as a user watching it would have them.
        var pages = new List<IPage>();
        var pushes = 0;
        var sessions = new List<(string Path, ICDPSession Cdp, RendererTimes Before)>();
        var pagePaths = options.Pages ?? DefaultPages;
        for (var i = 0; i < tabs; i++)
        {
            var path = string.Format(CultureInfo.InvariantCulture, pagePaths[i % pagePaths.Count], runId);
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
            page.WebSocket += (_, socket) => socket.FrameReceived += (_, _) => Interlocked.Increment(ref pushes);
            await page.GotoAsync(new Uri(baseAddress, path == "home" ? "" : path).ToString());
            await page.WaitForSelectorAsync("#app-root[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 60_000 });
            pages.Add(page);
            var cdp = await page.Context.NewCDPSessionAsync(page);
            await cdp.SendAsync("Performance.enable");
            sessions.Add((path, cdp, await RendererTimesAsync(cdp)));
        }

        var siloProcess = SiloProcesses();
        var browserProcesses = BrowserProcesses();
        if (options.NiceBrowser)
        {
            // The browser stands in for one on the user's own machine: it gets only the CPU the silo leaves.
            foreach (var process in browserProcesses)
            {
                using var renice = Process.Start("renice", ["-n", "19", "-p", process.Id.ToString(CultureInfo.InvariantCulture)]);
                renice.WaitForExit();
            }
        }

        var cpuBefore = CpuSeconds(siloProcess);
        var browserCpuBefore = browserProcesses.ToDictionary(p => p.Id, p => CpuSeconds([p]));
        var response = await http.PostAsJsonAsync("api/runs", new { spec, runId });
        response.EnsureSuccessStatusCode();
        JsonObject status;
        while (true)
        {
            status = (await http.GetFromJsonAsync<JsonObject>($"api/runs/{runId}"))!;
            var state = status["state"]!.GetValue<string>();
            if (state is "Completed" or "Failed" or "Cancelled")
            {
                if (state != "Completed")
                {
                    throw new InvalidOperationException($"{runId} ended {state}: {status["error"]}");
                }

                break;
            }

            await Task.Delay(500);
        }

        var cpu = CpuSeconds(siloProcess) - cpuBefore;
        // Per process, over those still alive at the end (a process that exited meanwhile reads 0).
        var browserCpu = browserProcesses.Sum(p => CpuSeconds([p]) is var now and > 0 ? now - browserCpuBefore[p.Id] : 0);
        foreach (var (path, cdp, before) in sessions)
        {
            var spent = (await RendererTimesAsync(cdp)) - before;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  tab {path}: renderer main thread busy {spent.Task:0.00} s (script {spent.Script:0.00}, style {spent.Style:0.00}, layout {spent.Layout:0.00})"));
        }

        foreach (var page in pages)
        {
            await page.CloseAsync();
        }

        // The run's own clock (started → finished in the grain), not this loop's polling.
        var seconds = (status["finishedAt"]!.GetValue<DateTimeOffset>() - status["startedAt"]!.GetValue<DateTimeOffset>()).TotalSeconds;
        var progress = status["progress"]!;
        return new Trial(tabs, progress["samplesDone"]!.GetValue<int>(), seconds, progress["samplesDone"]!.GetValue<int>() / seconds, progress["generatedTokens"]!.GetValue<long>() / seconds, cpu, browserCpu, pushes);
    }

    private static void Pin(List<Process> processes, int core)
    {
        foreach (var process in processes)
        {
            var start = new ProcessStartInfo("taskset", ["-a", "-cp", core.ToString(CultureInfo.InvariantCulture), process.Id.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardOutput = true };
            using var taskset = Process.Start(start)!;
            taskset.StandardOutput.ReadToEnd();
            taskset.WaitForExit();
            if (taskset.ExitCode != 0)
            {
                throw new InvalidOperationException($"taskset could not pin {process.ProcessName} ({process.Id}) to core {core}");
            }
        }
    }

    /// <summary>The silo host processes (dotnet run starts the silo as a child of its own).</summary>
    private static List<Process> SiloProcesses() =>
        Process.GetProcessesByName("VerlOrleans.Silo").ToList();

    /// <summary>Chromium's processes (browser, renderers, GPU/utility): on this machine they share the silo's cores.</summary>
    private static List<Process> BrowserProcesses() =>
        Process.GetProcesses().Where(p => p.ProcessName.StartsWith("chrom", StringComparison.Ordinal)).ToList();

    private static double CpuSeconds(List<Process> processes) => processes.Sum(p =>
    {
        try
        {
            p.Refresh();
            return p.TotalProcessorTime.TotalSeconds;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Exited meanwhile (a renderer of a closed tab).
            return 0;
        }
    });

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Chromium's own counters for one tab's renderer main thread (CDP Performance.getMetrics, seconds).</summary>
    private static async Task<RendererTimes> RendererTimesAsync(ICDPSession cdp)
    {
        var metrics = (await cdp.SendAsync("Performance.getMetrics"))!.Value.GetProperty("metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("value").GetDouble());
        return new RendererTimes(metrics["TaskDuration"], metrics["ScriptDuration"], metrics["RecalcStyleDuration"], metrics["LayoutDuration"]);
    }

    private sealed record RendererTimes(double Task, double Script, double Style, double Layout)
    {
        public static RendererTimes operator -(RendererTimes a, RendererTimes b) => new(a.Task - b.Task, a.Script - b.Script, a.Style - b.Style, a.Layout - b.Layout);
    }

    private sealed record Trial(int Tabs, int Samples, double Seconds, double SamplesPerSecond, double TokensPerSecond, double SiloCpuSeconds, double BrowserCpuSeconds, int PushesSeen);
}
