using Microsoft.Extensions.Options;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Demo;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Grains.Hosting;

namespace VerlOrleans.Grains.Demo;

/// <summary>Starts demo sweeps over the run folder the silo ships, and the one a fresh grid starts by itself.</summary>
public sealed class DemoGrain(
    [PersistentState("demo", GridSiloBuilderExtensions.StorageName)] IPersistentState<DemoGrainState> state,
    IOptions<GridOptions> options,
    TimeProvider clock) : Grain, IDemoGrain
{
    public Task<SweepStatus> StartAsync(string sweepId) =>
        GrainFactory.GetGrain<ISweepGrain>(sweepId).StartAsync(DemoSweep.Spec(options.Value.DemoDirectory));

    public async Task<string?> StartOnFirstRunAsync()
    {
        if (state.State.FirstRunHandledAt is not null)
        {
            return null;
        }

        var catalog = GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey);
        var fresh = (await catalog.ListRunsAsync()).Count == 0 && (await catalog.ListSweepsAsync()).Count == 0;
        if (fresh)
        {
            await StartAsync(IDemoGrain.FirstSweepId);
        }

        state.State.FirstRunHandledAt = clock.GetUtcNow();
        state.State.FirstSweepId = fresh ? IDemoGrain.FirstSweepId : null;
        await state.WriteStateAsync();
        return state.State.FirstSweepId;
    }
}
