using VerlOrleans.Contracts.Samples;

namespace VerlOrleans.Contracts.Runs;

/// <summary>
/// One evaluation (key: run id): checkpoint → model → dataset prompts → responses → rewards → metrics, with
/// per-sample results on disk. Persisted: after a silo restart the run resumes where its results file ends.
/// </summary>
public interface IEvaluationRunGrain : IGrainWithStringKey
{
    /// <summary>Starts the run (idempotent for the same spec) and returns at once.</summary>
    Task<RunStatus> StartAsync(RunSpec spec, string? sweepId = null);

    Task<RunStatus> GetStatusAsync();

    /// <summary>Stops generation for this run only; the results so far stay on disk.</summary>
    Task<RunStatus> CancelAsync();

    /// <summary>
    /// Deletes a finished run: its results folder (and lease file) under the grid's runs folder, its state and its
    /// catalog line, so the same id can start afresh. False when there is no such run. Throws
    /// <see cref="InUseException"/>, changing nothing, while it is queued or running or its sweep is still running.
    /// </summary>
    Task<bool> DeleteAsync();

    /// <summary>Continues an unfinished run (called at silo start-up for runs a restart interrupted).</summary>
    Task ResumeAsync();

    /// <summary>
    /// Reads up to <paramref name="count"/> bytes (at most 1 MiB) of a results file from <paramref name="offset"/>, on the
    /// silo that holds it: results.jsonl, results.parquet, metrics.json, manifest.json, prompt_report.json or import_report.json. An empty
    /// array means the end of the file.
    /// </summary>
    Task<byte[]> ReadResultsFileAsync(string name, long offset, int count);

    /// <summary>A page of the run's samples (filtered and sorted on the silo that holds the results, never sent whole).</summary>
    Task<SamplePage> QuerySamplesAsync(SampleQuery query);

    /// <summary>One sample with its full texts; null when the run has no such sample (yet).</summary>
    Task<SampleDetail?> GetSampleAsync(string uid, int sampleIndex);

    /// <summary>Every sample of one prompt, by sample index (for side-by-side comparison).</summary>
    Task<IReadOnlyList<SampleDetail>> GetPromptSamplesAsync(string uid);

    /// <summary>Every sample's uid, data source, score and correctness, in position order (for comparing runs).</summary>
    Task<IReadOnlyList<SampleOutcome>> GetOutcomesAsync();

    /// <summary>Samples done and tokens generated over the run's time, a point every second or so (kept in memory).</summary>
    Task<IReadOnlyList<ThroughputPoint>> GetThroughputAsync();

    /// <summary>Observers receive status updates (batched); re-subscribe periodically, subscriptions expire.</summary>
    Task SubscribeAsync(IRunObserver observer);

    Task UnsubscribeAsync(IRunObserver observer);
}
