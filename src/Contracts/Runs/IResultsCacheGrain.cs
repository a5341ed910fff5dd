namespace VerlOrleans.Contracts.Runs;

/// <summary>
/// The grid's results cache (one, key 0): finished runs by the key of everything that decides their results (model
/// content, dataset content, prompt, sampling, seeds, rewards). A run with a key already here is answered from that run.
/// </summary>
public interface IResultsCacheGrain : IGrainWithIntegerKey
{
    Task<CachedRunEntry?> FindAsync(string key);

    Task RecordAsync(string key, CachedRunEntry run);

    /// <summary>A deleted run answers nothing any more.</summary>
    Task ForgetRunAsync(string runId);
}

/// <summary>A finished run in the cache: its id and results folder.</summary>
[GenerateSerializer, Immutable]
public sealed record CachedRunEntry([property: Id(0)] string RunId, [property: Id(1)] string Folder);
