using Microsoft.Extensions.Options;
using Orleans.TestingHost;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Cluster;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Grains.Hosting;
using VerlOrleans.Grains.Models;
using VerlOrleans.Grains.Models.Placement;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Models;

/// <summary>
/// Two real silos with different model budgets (one too small for the tiny model, one holding exactly one copy):
/// model grains land where there is room, and a second model evicts the idle first one instead of failing.
/// </summary>
public sealed class ModelPlacementTests : IAsyncLifetime
{
    private const long SmallBudget = 1_000_000;
    private const long OneModelBudget = 12_000_000;
    private readonly TempDirectory _data = new("placement");
    private InProcessTestCluster _cluster = null!;
    private int _silosConfigured;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(initialSilosCount: 2);
        builder.ConfigureSilo((_, silo) =>
        {
            var budget = Interlocked.Increment(ref _silosConfigured) == 1 ? SmallBudget : OneModelBudget;
            silo.AddVerlOrleansGrid(options => Configure(options, budget).DataDirectory = _data.Path).AddGridFileStorage();
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    [Fact]
    public async Task Models_go_to_the_silo_with_room_and_a_second_model_evicts_the_idle_first_one()
    {
        var steps = VerlRunFolderBuilder.Write(_data.Combine("run"), steps: 2);
        var models = new List<CheckpointStatus>();
        foreach (var step in steps)
        {
            await _cluster.Client.GetGrain<ICheckpointGrain>(step).PrepareAsync();
            models.Add(await WaitAsync(() => _cluster.Client.GetGrain<ICheckpointGrain>(step).GetStatusAsync(), s => s.IsSettled));
        }

        Assert.All(models, m => Assert.Equal(CheckpointState.Ready, m.State));
        var roomy = await WaitForBudgetsAsync();
        var bytes = new ModelEngineFactory(Options.Create(Configure(new GridOptions(), 0))).EstimateBytes(models[0].ModelPath!, "cpu", "auto");
        Assert.InRange(bytes, SmallBudget + 1, OneModelBudget);

        var first = await LoadAsync(models[0], bytes);
        Assert.Equal(roomy, first.Silo);
        await WaitForBudgetsAsync(freeOnRoomy: OneModelBudget - bytes);
        var second = await LoadAsync(models[1], bytes);

        Assert.Equal(roomy, second.Silo);
        var listed = await _cluster.Client.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey).ListModelsAsync();
        Assert.Equal([second.Key], listed.Where(m => m.State == ModelState.Ready).Select(m => m.Key));
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _data.Dispose();
    }

    private static GridOptions Configure(GridOptions options, long budget)
    {
        options.SiloReportInterval = TimeSpan.FromMilliseconds(300);
        options.ModelMaxSequenceLength = 1024;
        options.ModelMaxBatchSize = 16;
        options.DeviceMemoryLimitBytes = budget;
        options.Paths.CheckpointRoots = [.. RepositoryPaths.TestRoots];
        return options;
    }

    private async Task<ModelStatus> LoadAsync(CheckpointStatus checkpoint, long bytes)
    {
        var key = ModelKeys.For(checkpoint.ContentHash!, "auto");
        RequestContext.Set(DeviceAwarePlacementStrategy.RequiredBytesKey, bytes);
        var model = _cluster.Client.GetGrain<IModelGrain>(key);
        await model.LoadAsync(new ModelLoadSpec(checkpoint.ModelPath!));
        RequestContext.Clear();
        return await WaitAsync(model.GetStatusAsync, s => s.State is ModelState.Ready or ModelState.Failed);
    }

    /// <summary>Waits until the directory shows both silos' budgets (and, optionally, the roomy silo's free budget); returns the roomy silo.</summary>
    private async Task<string> WaitForBudgetsAsync(long? freeOnRoomy = null)
    {
        var overview = await WaitAsync(
            () => _cluster.Client.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.SingletonKey).GetOverviewAsync(),
            o => o.Silos.Count(s => s.Status == "Active" && s.Devices.Any(d => d.ModelBudgetBytes is not null)) == 2
                && (freeOnRoomy is null || o.Silos.Any(s => s.Devices.Any(d => d.ModelBudgetBytes == OneModelBudget && d.ModelBudgetFreeBytes == freeOnRoomy))));
        return overview.Silos.Single(s => s.Devices.Any(d => d.ModelBudgetBytes == OneModelBudget)).SiloAddress;
    }

    private static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(100);
        }
    }
}
