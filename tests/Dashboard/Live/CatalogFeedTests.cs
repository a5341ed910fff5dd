using Microsoft.Extensions.Logging.Abstractions;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Dashboard.Live;
using VerlOrleans.Testing;

namespace VerlOrleans.Dashboard.Tests.Live;

/// <summary>
/// The catalog feed behind every list page, on the real cluster: pushes arrive without polling, and when the catalog
/// grain is deactivated (as when its silo restarts) the feed subscribes to the new activation and catches up.
/// </summary>
[Collection(GridClusterCollection.Name)]
public sealed class CatalogFeedTests(GridClusterFixture fixture)
{
    [Fact]
    public async Task The_feed_follows_a_new_catalog_activation_after_the_old_one_is_gone()
    {
        await using var feed = new CatalogFeed(fixture.Client, NullLogger<CatalogFeed>.Instance) { ResubscribeInterval = TimeSpan.FromSeconds(1) };
        await feed.EnsureStartedAsync();
        var catalog = fixture.Client.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey);
        var epochBefore = (await catalog.GetSnapshotAsync()).Epoch;

        var first = $"feed-{Guid.NewGuid():N}";
        await GridRuns.CompleteAsync(fixture.Client, first, GridRuns.Greedy(TinyChatModel.Folder, 2));
        await WaitForAsync(() => feed.Current.Runs.ContainsKey(first), "the first run to be pushed");
        var pushedBefore = feed.UpdatesApplied;

        // Every idle activation goes, the catalog's with its observer list: only re-subscription brings the feed back.
        await fixture.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var second = $"feed-{Guid.NewGuid():N}";
        await GridRuns.CompleteAsync(fixture.Client, second, GridRuns.Greedy(TinyChatModel.Folder, 2));
        Assert.NotEqual(epochBefore, (await catalog.GetSnapshotAsync()).Epoch);

        await WaitForAsync(() => feed.Current.Runs.ContainsKey(second) && feed.Current.Runs.ContainsKey(first), "the feed to catch up with the new activation");
        Assert.True(feed.UpdatesApplied > pushedBefore);
        Assert.Null(feed.Error);
    }

    [Fact]
    public async Task A_deleted_run_and_sweep_leave_the_feed_by_push_and_an_id_started_again_comes_back()
    {
        // No periodic snapshot in this test: only the pushed deletions can take the entries out of the view.
        await using var feed = new CatalogFeed(fixture.Client, NullLogger<CatalogFeed>.Instance) { ResubscribeInterval = TimeSpan.FromHours(1) };
        await feed.EnsureStartedAsync();
        var runId = $"feed-delete-{Guid.NewGuid():N}";
        var sweepId = $"feed-sweep-{Guid.NewGuid():N}";
        await GridRuns.CompleteAsync(fixture.Client, runId, GridRuns.Greedy(TinyChatModel.Folder, 1, maxTokens: 2));
        var sweep = fixture.Client.GetGrain<Contracts.Sweeps.ISweepGrain>(sweepId);
        var table = await sweep.StartAsync(new Contracts.Sweeps.SweepSpec([TinyChatModel.Folder], GridRuns.Greedy("ignored", 1, maxTokens: 2)));
        await GridRuns.WaitFinishedAsync(fixture.Client.GetGrain<Contracts.Runs.IEvaluationRunGrain>(table.Rows[0].RunId));
        await WaitForAsync(() => feed.Current.Runs.ContainsKey(runId) && feed.Current.Sweeps.TryGetValue(sweepId, out var s) && s.Finished, "the run and the sweep to be pushed");

        Assert.True(await fixture.Client.GetGrain<Contracts.Runs.IEvaluationRunGrain>(runId).DeleteAsync());
        Assert.True(await sweep.DeleteAsync());

        await WaitForAsync(() => !feed.Current.Runs.ContainsKey(runId) && !feed.Current.Sweeps.ContainsKey(sweepId)
            && !feed.Current.Runs.ContainsKey(table.Rows[0].RunId), "the deletions to be pushed");
        await GridRuns.CompleteAsync(fixture.Client, runId, GridRuns.Greedy(TinyChatModel.Folder, 1, maxTokens: 2));
        await WaitForAsync(() => feed.Current.Runs.ContainsKey(runId), "the run started again to be pushed");
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
