using Microsoft.Extensions.Options;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Demo;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Grains.Hosting;

namespace VerlOrleans.Grains.Demo;

/// <summary>
/// Starts demo sweeps over the run folder the silo ships, and the one a fresh grid starts by itself. "Fresh" is the
/// persisted catalog's word: no run and no sweep in it, and none ever deleted from it. The demo sweep is in the catalog before StartAsync returns and
/// calls here are serial, so silos starting together start it once, and no later start does again.
/// </summary>
public sealed class DemoGrain(IOptions<GridOptions> options) : Grain, IDemoGrain
{
    public Task<SweepStatus> StartAsync(string sweepId) =>
        GrainFactory.GetGrain<ISweepGrain>(sweepId).StartAsync(DemoSweep.Spec(options.Value.DemoDirectory));

    public async Task<string?> StartOnFirstRunAsync()
    {
        var catalog = GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey);
        // Deleted runs and sweeps count: an admin who deleted the demo does not want it back at the next start.
        if (await catalog.HasHadWorkAsync())
        {
            return null;
        }

        await StartAsync(IDemoGrain.FirstSweepId);
        return IDemoGrain.FirstSweepId;
    }
}
