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

    /// <summary>Continues an unfinished run (called at silo start-up for runs a restart interrupted).</summary>
    Task ResumeAsync();

    /// <summary>
    /// Reads up to <paramref name="count"/> bytes (at most 1 MiB) of a results file from <paramref name="offset"/>, on the
    /// silo that holds it: results.jsonl, results.parquet, metrics.json, manifest.json or prompt_report.json. An empty
    /// array means the end of the file.
    /// </summary>
    Task<byte[]> ReadResultsFileAsync(string name, long offset, int count);

    /// <summary>Observers receive status updates (batched); re-subscribe periodically, subscriptions expire.</summary>
    Task SubscribeAsync(IRunObserver observer);

    Task UnsubscribeAsync(IRunObserver observer);
}
