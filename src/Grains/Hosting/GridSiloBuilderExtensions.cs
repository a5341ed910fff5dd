using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using VerlOrleans.Grains.Checkpoints;
using VerlOrleans.Grains.Cluster;
using VerlOrleans.Grains.Models;
using VerlOrleans.Grains.Models.Placement;
using VerlOrleans.Grains.Runs;
using VerlOrleans.Grains.Storage;

namespace VerlOrleans.Grains.Hosting;

/// <summary>Wires the grid's grains and silo services into any silo: the real host and test clusters alike.</summary>
public static class GridSiloBuilderExtensions
{
    /// <summary>Name of the grain storage every grid grain persists to.</summary>
    public const string StorageName = "grid";

    /// <summary>Name of the memory stream provider for live updates.</summary>
    public const string StreamProviderName = "live";

    /// <summary>
    /// Adds the grid to a silo: local-disk grain storage (as "grid" and as the default), memory streams for
    /// live updates, and the reporter that publishes this silo's devices to the cluster directory.
    /// </summary>
    public static ISiloBuilder AddVerlOrleansGrid(this ISiloBuilder silo, Action<GridOptions>? configure = null)
    {
        var options = silo.Services.AddOptions<GridOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<LocalSiloInventory>();
        silo.Services.AddSingleton<ClusterDeviceView>();
        silo.Services.AddSingleton<SiloModelResidency>();
        silo.Services.AddSingleton<ModelEngineFactory>();
        silo.AddPlacementDirector<DeviceAwarePlacementStrategy, DeviceAwarePlacementDirector>();
        silo.Services.AddSingleton(sp => new CheckpointPreparer(sp.GetRequiredService<IOptions<GridOptions>>().Value.ModelCacheDirectory));
        silo.Services.AddSingleton<SiloReporter>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloReporter>());
        silo.Services.AddSingleton<TokenizerCache>();
        silo.Services.AddSingleton<EvaluationRunExecutor>();
        silo.Services.AddSingleton<RunResumer>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RunResumer>());

        foreach (var name in new[] { StorageName, ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, "PubSubStore" })
        {
            silo.Services.AddGrainStorage(name, (sp, storageName) => new FileGrainStorage(
                storageName,
                new FileGrainStorageOptions { RootDirectory = sp.GetRequiredService<IOptions<GridOptions>>().Value.GrainStateDirectory },
                sp.GetRequiredService<IOptions<ClusterOptions>>(),
                sp.GetRequiredService<IGrainStorageSerializer>()));
        }

        silo.AddMemoryStreams(StreamProviderName);
        return silo;
    }
}
