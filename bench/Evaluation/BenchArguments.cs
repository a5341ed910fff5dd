namespace VerlOrleans.Bench.Evaluation;

/// <summary>Command line of the evaluation benchmark (see Program.cs).</summary>
internal sealed record BenchArguments(string Data, string? Verl, string Work, bool DeleteWork, int LargeRows, string GoldenRewards, string Root, bool RewardsOnly)
{
    public static BenchArguments Parse(string[] args)
    {
        string? Value(string name)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        }

        var root = FindRoot();
        var work = Value("--work");
        return new BenchArguments(
            Value("--data") ?? Path.GetFullPath(Path.Combine(root, "..", "shared", "data", "verl-data")),
            Value("--verl"),
            work ?? Path.Combine(Path.GetTempPath(), $"verlorleans-bench-{Guid.NewGuid():N}"),
            work is null,
            int.Parse(Value("--large-rows") ?? "100000", System.Globalization.CultureInfo.InvariantCulture),
            Path.Combine(root, "tests", "Evaluation", "Golden", "rewards.jsonl"),
            root,
            args.Contains("--rewards-only"));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VerlOrleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("VerlOrleans.sln not found above the benchmark binaries");
    }
}
