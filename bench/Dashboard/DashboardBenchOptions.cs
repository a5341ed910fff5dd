using System.Globalization;

namespace VerlOrleans.Bench.Dashboard;

/// <summary>What the dashboard benchmark runs: samples per run, open tabs, alternating rounds, response length, whether Chromium runs at the lowest CPU priority, whether the silo and Chromium get a core each (the browser standing in for one on another machine), and which pages the tabs open (paths, <c>{0}</c> is the run id; <c>home</c> is the overview).</summary>
public sealed record DashboardBenchOptions(int Samples, int Tabs, int Rounds, int MaxTokens, bool NiceBrowser = false, IReadOnlyList<string>? Pages = null, bool SplitCores = false)
{
    public static DashboardBenchOptions Parse(string[] args)
    {
        var options = new DashboardBenchOptions(Samples: 2000, Tabs: 5, Rounds: 3, MaxTokens: 32);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--nice-browser")
            {
                options = options with { NiceBrowser = true };
                continue;
            }

            if (args[i] == "--split-cores")
            {
                options = options with { SplitCores = true };
                continue;
            }

            if (args[i] == "--pages")
            {
                options = options with { Pages = i + 1 < args.Length ? args[++i].Split(',') : throw new ArgumentException("--pages needs a value") };
                continue;
            }

            var value = i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--samples" => options with { Samples = value },
                "--tabs" => options with { Tabs = value },
                "--rounds" => options with { Rounds = value },
                "--max-tokens" => options with { MaxTokens = value },
                _ => throw new ArgumentException($"unknown option {args[i]}; known: --samples --tabs --rounds --max-tokens --nice-browser --split-cores --pages"),
            };
            i++;
        }

        return options;
    }
}
