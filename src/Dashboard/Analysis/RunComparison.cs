using VerlOrleans.Contracts.Samples;

namespace VerlOrleans.Dashboard.Analysis;

/// <summary>How one run did on one prompt: correct samples out of all its samples.</summary>
public sealed record PromptOutcome(int Correct, int Samples)
{
    /// <summary>Solved when at least half of the prompt's n samples are correct (with n = 1: that sample is).</summary>
    public bool Solved => Samples > 0 && Correct * 2 >= Samples;

    public override string ToString() => $"{Correct}/{Samples}";
}

/// <summary>One prompt across the compared runs (null where a run has no sample of it yet).</summary>
public sealed record ComparedPrompt(string Uid, long Position, string DataSource, IReadOnlyList<PromptOutcome?> Outcomes);

/// <summary>How a prompt changed from the baseline run to another.</summary>
public enum Flip
{
    /// <summary>Not solved by the baseline, solved by the other run.</summary>
    Solved,
    /// <summary>Solved by the baseline, not by the other run.</summary>
    Broken,
    BothSolved,
    NeitherSolved,
    /// <summary>One of the two has no sample of the prompt yet.</summary>
    Missing,
}

/// <summary>
/// The same prompts (matched by uid) across runs, each compared with the first run (the baseline): which prompts a
/// later checkpoint solved that the baseline did not, and which it broke, over all n samples of each prompt.
/// </summary>
public sealed class RunComparison
{
    private RunComparison(IReadOnlyList<string> runIds, IReadOnlyList<ComparedPrompt> prompts)
    {
        RunIds = runIds;
        Prompts = prompts;
    }

    public IReadOnlyList<string> RunIds { get; }

    /// <summary>Every prompt any run has, in the baseline's order (then the others').</summary>
    public IReadOnlyList<ComparedPrompt> Prompts { get; }

    /// <param name="runs">Each run's id and its sample outcomes; the first is the baseline.</param>
    public static RunComparison Of(IReadOnlyList<(string RunId, IReadOnlyList<SampleOutcome> Outcomes)> runs)
    {
        var prompts = new Dictionary<string, (long Position, string DataSource, PromptOutcome?[] Outcomes)>(StringComparer.Ordinal);
        var order = new List<string>();
        for (var r = 0; r < runs.Count; r++)
        {
            foreach (var group in runs[r].Outcomes.GroupBy(o => o.Uid, StringComparer.Ordinal))
            {
                if (!prompts.TryGetValue(group.Key, out var entry))
                {
                    var first = group.First();
                    entry = (first.Position, first.DataSource, new PromptOutcome?[runs.Count]);
                    prompts[group.Key] = entry;
                    order.Add(group.Key);
                }

                // A sample listed twice (a resumed run) counts once.
                var samples = group.GroupBy(o => o.SampleIndex).Select(g => g.Last()).ToList();
                entry.Outcomes[r] = new PromptOutcome(samples.Count(s => s.Correct), samples.Count);
            }
        }

        return new RunComparison(
            runs.Select(r => r.RunId).ToList(),
            order.Select(uid => new ComparedPrompt(uid, prompts[uid].Position, prompts[uid].DataSource, prompts[uid].Outcomes)).ToList());
    }

    /// <summary>How <paramref name="prompt"/> changed from the baseline to run <paramref name="run"/> (an index ≥ 1).</summary>
    public static Flip FlipOf(ComparedPrompt prompt, int run) => (prompt.Outcomes[0], prompt.Outcomes[run]) switch
    {
        (null, _) or (_, null) => Flip.Missing,
        ({ Solved: false }, { Solved: true }) => Flip.Solved,
        ({ Solved: true }, { Solved: false }) => Flip.Broken,
        ({ Solved: true }, { Solved: true }) => Flip.BothSolved,
        _ => Flip.NeitherSolved,
    };

    /// <summary>How many prompts of each kind run <paramref name="run"/> has against the baseline.</summary>
    public IReadOnlyDictionary<Flip, int> Counts(int run, string? dataSource = null) =>
        Enum.GetValues<Flip>().ToDictionary(f => f, f => Prompts.Count(p => (dataSource is null || p.DataSource == dataSource) && FlipOf(p, run) == f));

    /// <summary>Prompts solved by run <paramref name="run"/>, of those it has.</summary>
    public int SolvedBy(int run) => Prompts.Count(p => p.Outcomes[run] is { Solved: true });

    public IReadOnlyList<string> DataSources => Prompts.Select(p => p.DataSource).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
}
