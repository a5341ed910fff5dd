using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Dashboard.Live;

/// <summary>The catalog as one moment's immutable picture: every page renders from one of these.</summary>
public sealed record CatalogView(
    IReadOnlyDictionary<string, RunSummary> Runs,
    IReadOnlyDictionary<string, SweepSummary> Sweeps,
    IReadOnlyDictionary<string, CheckpointStatus> Checkpoints,
    IReadOnlyDictionary<string, ModelStatus> Models)
{
    public static CatalogView Empty { get; } = new(
        new Dictionary<string, RunSummary>(), new Dictionary<string, SweepSummary>(),
        new Dictionary<string, CheckpointStatus>(), new Dictionary<string, ModelStatus>());

    /// <summary>This view with <paramref name="update"/> applied (a snapshot replaces everything).</summary>
    public CatalogView Apply(CatalogUpdate update)
    {
        var runs = update.IsSnapshot ? [] : new Dictionary<string, RunSummary>(Runs);
        var sweeps = update.IsSnapshot ? [] : new Dictionary<string, SweepSummary>(Sweeps);
        var checkpoints = update.IsSnapshot ? [] : new Dictionary<string, CheckpointStatus>(Checkpoints);
        var models = update.IsSnapshot ? [] : new Dictionary<string, ModelStatus>(Models);

        // Deletions first: an entry also in the update's lists was added again after its deletion.
        foreach (var runId in update.DeletedRuns)
        {
            runs.Remove(runId);
        }

        foreach (var sweepId in update.DeletedSweeps)
        {
            sweeps.Remove(sweepId);
        }

        foreach (var path in update.DeletedCheckpoints)
        {
            checkpoints.Remove(path);
        }

        foreach (var run in update.Runs)
        {
            runs[run.RunId] = run;
        }

        foreach (var sweep in update.Sweeps)
        {
            sweeps[sweep.SweepId] = sweep;
        }

        foreach (var checkpoint in update.Checkpoints)
        {
            checkpoints[checkpoint.Path] = checkpoint;
        }

        foreach (var model in update.Models)
        {
            models[model.Key] = model;
        }

        foreach (var key in update.UnloadedModels)
        {
            models.Remove(key);
        }

        return new CatalogView(runs, sweeps, checkpoints, models);
    }

    /// <summary>Runs newest first.</summary>
    public IEnumerable<RunSummary> RunsNewestFirst => Runs.Values.OrderByDescending(r => r.CreatedAt).ThenBy(r => r.RunId, StringComparer.Ordinal);

    /// <summary>Sweeps newest first.</summary>
    public IEnumerable<SweepSummary> SweepsNewestFirst => Sweeps.Values.OrderByDescending(s => s.CreatedAt).ThenBy(s => s.SweepId, StringComparer.Ordinal);

    /// <summary>
    /// How far a sweep is, 0 to 1: its finished runs count whole, running ones by their samples, queued ones (not in
    /// the catalog yet) as nothing, over all its checkpoints; so two of eight finished reads a quarter, whatever sizes
    /// the started runs have.
    /// </summary>
    public double SweepFraction(SweepSummary sweep) => sweep.Finished
        ? 1
        : Runs.Values.Where(r => r.SweepId == sweep.SweepId).Sum(r => r.State.IsFinished() ? 1 : (r.Progress ?? RunProgress.None).Fraction)
            / Math.Max(1, sweep.Checkpoints);

    /// <summary>The checkpoint whose weights a model grain holds (its key starts with their content hash), if known.</summary>
    public CheckpointStatus? CheckpointOfModel(string modelKey) =>
        Checkpoints.Values.Where(c => c.ContentHash is { } hash && modelKey.StartsWith(hash + "/", StringComparison.Ordinal))
            .OrderByDescending(c => c.UpdatedAt).FirstOrDefault();
}
