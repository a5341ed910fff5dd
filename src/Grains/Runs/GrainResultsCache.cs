using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Grains.Runs;

/// <summary>The library's <see cref="Evaluation.Results.IResultsCache"/> over the grain, for one run.</summary>
internal sealed class GrainResultsCache(IGrainFactory grains, string runId) : Evaluation.Results.IResultsCache
{
    private IResultsCacheGrain Grain => grains.GetGrain<IResultsCacheGrain>(0);

    public async Task<Evaluation.Results.CachedRun?> FindAsync(string key, CancellationToken cancellationToken = default) =>
        await Grain.FindAsync(key) is { } run ? new Evaluation.Results.CachedRun(run.RunId, run.Folder) : null;

    public Task RecordAsync(string key, string folder, CancellationToken cancellationToken = default) =>
        Grain.RecordAsync(key, new CachedRunEntry(runId, folder));
}
