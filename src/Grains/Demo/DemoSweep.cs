using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Grains.Demo;

/// <summary>
/// The demo sweep's setup: every step of demo/verl-run on demo/data/demo_test.parquet, greedy, as train_demo.py
/// measured each step (at most 32 new tokens), so the grid's numbers can be read next to its training log.
/// </summary>
public static class DemoSweep
{
    public static string RunFolder(string demoDirectory) => Path.Combine(demoDirectory, "verl-run");

    public static string Dataset(string demoDirectory) => Path.Combine(demoDirectory, "data", "demo_test.parquet");

    /// <summary>The sweep over <paramref name="demoDirectory"/>; refuses a folder that lacks the run or its dataset.</summary>
    public static SweepSpec Spec(string demoDirectory)
    {
        foreach (var required in new[] { RunFolder(demoDirectory), Dataset(demoDirectory) })
        {
            if (!Path.Exists(required))
            {
                throw new FileNotFoundException($"the demo is incomplete: {required} is missing (VerlOrleans:DemoDirectory is {demoDirectory})", required);
            }
        }

        return new SweepSpec(
            [RunFolder(demoDirectory)],
            new RunSpec
            {
                Checkpoint = RunFolder(demoDirectory),
                DataFiles = [Dataset(demoDirectory)],
                Sampling = new SamplingSettings { Temperature = 0, MaxTokens = 32 },
                Prompt = new PromptSettings { MaxPromptLength = 128 },
            },
            MaxConcurrentRuns: 2);
    }
}
