using System.Runtime.CompilerServices;
using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Demo;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Cli.Grid;

/// <summary>The grid through an Orleans gateway: each operation is one grain call (a cluster client of the silo's).</summary>
internal sealed class OrleansGridService(GridConnection connection) : IGridService
{
    private const int ChunkBytes = 1 << 20;

    private IClusterClient Client => connection.Client;

    private ICatalogGrain Catalog => Client.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey);

    public string Address => connection.Endpoint.Gateway;

    public async Task<RunStatus?> FindRunAsync(string runId, CancellationToken cancellationToken)
    {
        // A grain never started has no spec.
        var status = await Client.GetGrain<IEvaluationRunGrain>(runId).GetStatusAsync();
        return status.Spec is null ? null : status;
    }

    public async Task<SweepStatus?> FindSweepAsync(string sweepId, CancellationToken cancellationToken)
    {
        var status = await Client.GetGrain<ISweepGrain>(sweepId).GetStatusAsync();
        return status.Spec is null ? null : status;
    }

    public Task<IReadOnlyList<string>> RegisterCheckpointsAsync(string path, CancellationToken cancellationToken) => Catalog.RegisterCheckpointsAsync(path);

    public Task<RunStatus> StartRunAsync(string runId, RunSpec spec, CancellationToken cancellationToken) =>
        Client.GetGrain<IEvaluationRunGrain>(runId).StartAsync(spec);

    public Task<SweepStatus> StartSweepAsync(string sweepId, SweepSpec spec, CancellationToken cancellationToken) =>
        Client.GetGrain<ISweepGrain>(sweepId).StartAsync(spec);

    public Task<SweepStatus> StartDemoAsync(CancellationToken cancellationToken) =>
        Client.GetGrain<IDemoGrain>(IDemoGrain.SingletonKey).StartAsync(GridIds.New("demo", TimeProvider.System));

    public Task<IReadOnlyList<RunSummary>> ListRunsAsync(CancellationToken cancellationToken) => Catalog.ListRunsAsync();

    public Task<IReadOnlyList<SweepSummary>> ListSweepsAsync(CancellationToken cancellationToken) => Catalog.ListSweepsAsync();

    public Task<RunStatus> CancelRunAsync(string runId, CancellationToken cancellationToken) => Client.GetGrain<IEvaluationRunGrain>(runId).CancelAsync();

    public Task<SweepStatus> CancelSweepAsync(string sweepId, CancellationToken cancellationToken) => Client.GetGrain<ISweepGrain>(sweepId).CancelAsync();

    public Task<bool> DeleteRunAsync(string runId, CancellationToken cancellationToken) => InUse(Client.GetGrain<IEvaluationRunGrain>(runId).DeleteAsync());

    public Task<bool> DeleteSweepAsync(string sweepId, CancellationToken cancellationToken) => InUse(Client.GetGrain<ISweepGrain>(sweepId).DeleteAsync());

    // The grain's refusal reads as the HTTP API's 409 does.
    private static async Task<bool> InUse(Task<bool> deletion)
    {
        try
        {
            return await deletion;
        }
        catch (Contracts.InUseException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }

    public async Task<long> CopyResultsFileAsync(string runId, string name, Stream destination, CancellationToken cancellationToken)
    {
        // In chunks through the run grain: the file is on the silo that ran it, wherever that is.
        var run = Client.GetGrain<IEvaluationRunGrain>(runId);
        long bytes = 0;
        for (var chunk = await run.ReadResultsFileAsync(name, 0, ChunkBytes); chunk.Length > 0; chunk = await run.ReadResultsFileAsync(name, bytes, ChunkBytes))
        {
            await destination.WriteAsync(chunk, cancellationToken);
            bytes += chunk.Length;
        }

        return bytes;
    }

    public async IAsyncEnumerable<RunStatus> WatchRunAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var feed = await StatusFeeds.ForRunAsync(Client, Client.GetGrain<IEvaluationRunGrain>(runId));
        await foreach (var status in feed.ReadAllAsync(cancellationToken))
        {
            yield return status;
        }
    }

    public async IAsyncEnumerable<SweepStatus> WatchSweepAsync(string sweepId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var feed = await StatusFeeds.ForSweepAsync(Client, Client.GetGrain<ISweepGrain>(sweepId));
        await foreach (var status in feed.ReadAllAsync(cancellationToken))
        {
            yield return status;
        }
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
