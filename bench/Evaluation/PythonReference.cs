using System.Diagnostics;

namespace VerlOrleans.Bench.Evaluation;

/// <summary>Times the same workloads in verl's own Python code (Debian's /usr/bin/python3 with numpy), for ratios.</summary>
internal static class PythonReference
{
    public static double MetricsSeconds(string verlDir, int prompts, int n) => Run(verlDir, $$"""
        mu = load_metric_utils()
        ds, uids, infos = [], [], {"reward": [], "score": [], "acc": [], "pred": []}
        for p in range({{prompts}}):
            for s in range({{n}}):
                acc = (p * 7 + s * 3) % 5 < 2
                score = 1.0 if acc else -1.0
                ds.append("math_dapo"); uids.append(f"u{p}")
                infos["reward"].append(score); infos["score"].append(score); infos["acc"].append(acc); infos["pred"].append(str((p + s) % 4))
        t = time.perf_counter()
        mu.process_validation_metrics(ds, uids, infos)
        print(time.perf_counter() - t)
        """);

    public static double ScoreSeconds(string verlDir, string goldenRewards, int repeat) => Run(verlDir, $$"""
        rs = load_reward_score()
        from verl.utils.reward_score import gsm8k, math_dapo
        cases = [json.loads(l) for l in open({{Quote(goldenRewards)}}, encoding="utf-8")]
        t = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            for _ in range({{repeat}}):
                for c in cases:
                    kw = c.get("reward_kwargs")
                    if kw is None:
                        rs.default_compute_score(c["data_source"], c["solution_str"], c["ground_truth"])
                    elif c["data_source"] == "openai/gsm8k":
                        gsm8k.compute_score(c["solution_str"], c["ground_truth"], **kw)
                    else:
                        math_dapo.compute_score(c["solution_str"], c["ground_truth"], **kw)
        print(time.perf_counter() - t)
        """);

    private static double Run(string verlDir, string body)
    {
        var script = $$"""
            import contextlib, io, json, sys, time, importlib.util
            spec = importlib.util.spec_from_file_location("golden_generate", {{Quote(GoldenGenerator())}})
            gen = importlib.util.module_from_spec(spec); spec.loader.exec_module(gen)
            _reward, _metric = gen.load_verl({{Quote(verlDir)}})
            def load_metric_utils(): return _metric
            def load_reward_score(): return _reward
            {{body}}
            """;
        var start = new ProcessStartInfo("/usr/bin/python3", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? double.Parse(output.Trim().Split('\n')[^1], System.Globalization.CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"python failed: {error}");
    }

    private static string GoldenGenerator()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "tests", "Evaluation", "Golden", "generate.py");
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException("tests/Evaluation/Golden/generate.py not found above the benchmark binaries");
    }

    private static string Quote(string path) => "r'" + path.Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
