using VerlOrleans.Contracts.Runs;
using VerlOrleans.Grains.Hosting;

namespace VerlOrleans.Grains.Runs;

/// <summary>The results cache's index, persisted: key → the run that finished with it (the latest one).</summary>
public sealed class ResultsCacheGrain(
    [PersistentState("results-cache", GridSiloBuilderExtensions.StorageName)] IPersistentState<ResultsCacheState> state) : Grain, IResultsCacheGrain
{
    public Task<CachedRunEntry?> FindAsync(string key) => Task.FromResult(state.State.Runs.GetValueOrDefault(key));

    public async Task RecordAsync(string key, CachedRunEntry run)
    {
        if (state.State.Runs.GetValueOrDefault(key) != run)
        {
            state.State.Runs[key] = run;
            await state.WriteStateAsync();
        }
    }

    public async Task ForgetRunAsync(string runId)
    {
        var keys = state.State.Runs.Where(p => p.Value.RunId == runId).Select(p => p.Key).ToList();
        if (keys.Count > 0)
        {
            keys.ForEach(k => state.State.Runs.Remove(k));
            await state.WriteStateAsync();
        }
    }
}

/// <summary>What the results cache persists.</summary>
[GenerateSerializer]
public sealed class ResultsCacheState
{
    [Id(0)] public Dictionary<string, CachedRunEntry> Runs { get; set; } = new(StringComparer.Ordinal);
}
