using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using ResultsFolder = VerlOrleans.Evaluation.Results.ResultsFolder;
using ResultsReader = VerlOrleans.Evaluation.Results.ResultsReader;

namespace VerlOrleans.Silo.Tests.Cluster;

/// <summary>What a sweep that survived a failure must still be: every run complete, every (uid, sample) exactly once, and the same as an uninterrupted sweep.</summary>
public static class SweepResults
{
    /// <summary>
    /// Every row of <paramref name="interrupted"/> completed with <paramref name="samplesPerRun"/> result lines, each
    /// (uid, sample index) once, and equals the same checkpoint's row of <paramref name="reference"/>: response text per
    /// sample and every metric.
    /// </summary>
    public static async Task AssertCompleteAndEqualAsync(GridApiClient api, SweepStatus interrupted, SweepStatus reference, int samplesPerRun)
    {
        Assert.Null(interrupted.Error);
        Assert.Equal(reference.Rows.Select(r => r.Checkpoint), interrupted.Rows.Select(r => r.Checkpoint));
        foreach (var (row, expected) in interrupted.Rows.Zip(reference.Rows))
        {
            await AssertRunCompleteAndEqualAsync(api, row.RunId, expected.RunId, samplesPerRun);
        }
    }

    /// <summary>As <see cref="AssertCompleteAndEqualAsync"/> for one run and its uninterrupted reference run.</summary>
    public static async Task AssertRunCompleteAndEqualAsync(GridApiClient api, string runId, string referenceRunId, int samples)
    {
        var run = await api.GetRunAsync(runId);
        var baseline = await api.GetRunAsync(referenceRunId);
        Assert.True(run.State == RunState.Completed, $"{runId} ended {run.State}: {run.Error}");
        Assert.Equal(RunState.Completed, baseline.State);

        var lines = await ResultsReader.ReadJsonlAsync(Path.Combine(run.ResultsDirectory!, ResultsFolder.ResultsJsonlFile));
        Assert.Equal(samples, lines.Count);
        Assert.Equal(samples, lines.Select(l => (l.Uid, l.SampleIndex)).Distinct().Count());
        Assert.Equal(samples, (await ResultsReader.ReadAsync(Path.Combine(run.ResultsDirectory!, ResultsFolder.ResultsParquetFile))).Count);

        var expected = await ResultsReader.ReadJsonlAsync(Path.Combine(baseline.ResultsDirectory!, ResultsFolder.ResultsJsonlFile));
        Assert.Equal(
            expected.ToDictionary(l => (l.Uid, l.SampleIndex), l => l.ResponseText),
            lines.ToDictionary(l => (l.Uid, l.SampleIndex), l => l.ResponseText));
        Assert.Equal(baseline.Metrics.OrderBy(m => m.Key), run.Metrics.OrderBy(m => m.Key));
    }
}
