using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using ResultsFolder = VerlOrleans.Evaluation.Results.ResultsFolder;
using ResultsReader = VerlOrleans.Evaluation.Results.ResultsReader;

namespace VerlOrleans.Silo.Tests.Cluster;

/// <summary>
/// What a sweep that survived a failure must still be: every run complete, every (uid, sample) exactly once, verl's
/// metrics equal to an uninterrupted sweep's, and the same responses. Responses may differ in at most
/// <see cref="MaxDifferingResponses"/> of a run's samples: libtorch's float32 GEMM rounds a row differently depending on
/// how many rows share the product (measured: 1, 2, 3 or 5 rows vs 300 differ by up to 5e-5), so a greedy near-tie can
/// go the other way when a resumed prompt is batched with different neighbours, as in vLLM. Any such difference is
/// listed in the test output.
/// </summary>
public static class SweepResults
{
    /// <summary>Share of a run's responses that may differ from the uninterrupted run's (see the class summary).</summary>
    public const double MaxDifferingResponses = 0.01;

    /// <returns>The responses that differ (within the tolerance), each as "run uid#sample".</returns>
    public static async Task<IReadOnlyList<string>> AssertCompleteAndEqualAsync(GridApiClient api, SweepStatus interrupted, SweepStatus reference, int samplesPerRun)
    {
        Assert.Null(interrupted.Error);
        Assert.Equal(reference.Rows.Select(r => r.Checkpoint), interrupted.Rows.Select(r => r.Checkpoint));
        var differing = new List<string>();
        foreach (var (row, expected) in interrupted.Rows.Zip(reference.Rows))
        {
            differing.AddRange(await AssertRunCompleteAndEqualAsync(api, row.RunId, expected.RunId, samplesPerRun));
        }

        return differing;
    }

    /// <summary>As <see cref="AssertCompleteAndEqualAsync"/> for one run and its uninterrupted reference run.</summary>
    public static async Task<IReadOnlyList<string>> AssertRunCompleteAndEqualAsync(GridApiClient api, string runId, string referenceRunId, int samples)
    {
        var run = await api.GetRunAsync(runId);
        var baseline = await api.GetRunAsync(referenceRunId);
        Assert.True(run.State == RunState.Completed, $"{runId} ended {run.State}: {run.Error}");
        Assert.Equal(RunState.Completed, baseline.State);

        var lines = await ResultsReader.ReadJsonlAsync(Path.Combine(run.ResultsDirectory!, ResultsFolder.ResultsJsonlFile));
        Assert.Equal(samples, lines.Count);
        Assert.Equal(samples, lines.Select(l => (l.Uid, l.SampleIndex)).Distinct().Count());
        Assert.Equal(samples, (await ResultsReader.ReadAsync(Path.Combine(run.ResultsDirectory!, ResultsFolder.ResultsParquetFile))).Count);

        var expected = (await ResultsReader.ReadJsonlAsync(Path.Combine(baseline.ResultsDirectory!, ResultsFolder.ResultsJsonlFile)))
            .ToDictionary(l => (l.Uid, l.SampleIndex));
        Assert.Equal(expected.Keys.Order(), lines.Select(l => (l.Uid, l.SampleIndex)).Order());
        var differing = lines.Where(l => l.ResponseText != expected[(l.Uid, l.SampleIndex)].ResponseText).ToList();
        Assert.True(differing.Count <= samples * MaxDifferingResponses, $"{runId}: {differing.Count} responses differ from {referenceRunId}'s, e.g. " + string.Join("; ", differing.Take(3).Select(l =>
        {
            var other = expected[(l.Uid, l.SampleIndex)].ResponseText;
            var at = l.ResponseText.Zip(other).TakeWhile(p => p.First == p.Second).Count();
            return $"{l.Uid}#{l.SampleIndex} from char {at} of {l.ResponseText.Length}/{other.Length} (started {l.StartedAt:HH:mm:ss.fff} vs {expected[(l.Uid, l.SampleIndex)].StartedAt:HH:mm:ss.fff}): "
                + $"'{l.ResponseText[Math.Max(0, at - 10)..Math.Min(l.ResponseText.Length, at + 20)]}' vs '{other[Math.Max(0, at - 10)..Math.Min(other.Length, at + 20)]}'";
        })));
        Assert.Equal(baseline.Metrics.OrderBy(m => m.Key), run.Metrics.OrderBy(m => m.Key));
        return [.. differing.Select(l => $"{runId} {l.Uid}#{l.SampleIndex}")];
    }
}
