using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using VerlOrleans.Grains.Checkpoints;
using VerlOrleans.Grains.Cluster;
using VerlOrleans.Grains.Inputs;
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
    /// Every grain storage name the grid persists through: its own, Orleans' default, and the stream pub-sub store.
    /// A storage provider (local files, Redis, PostgreSQL) is registered under each.
    /// </summary>
    public static readonly IReadOnlyList<string> StorageNames = [StorageName, ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, "PubSubStore"];

    /// <summary>
    /// Adds the grid to a silo: its grains' services, placement, memory streams for live updates, and the reporter
    /// that publishes this silo's devices to the cluster directory. Grain storage is added separately
    /// (<see cref="AddGridFileStorage"/> on one machine; Redis or PostgreSQL in a cluster).
    /// </summary>
    public static ISiloBuilder AddVerlOrleansGrid(this ISiloBuilder silo, Action<GridOptions>? configure = null)
    {
        var options = silo.Services.AddOptions<GridOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.PostConfigure<OrleansJsonSerializerOptions>(json =>
        {
            json.JsonSerializerSettings.SerializationBinder = new PortableCollectionsBinder(
                json.JsonSerializerSettings.SerializationBinder ?? new Newtonsoft.Json.Serialization.DefaultSerializationBinder());
            // Reading state must build its own objects: reusing a property's initial value would fill in shared
            // instances such as RunProgress.None, which every new run's status then starts from.
            json.JsonSerializerSettings.ObjectCreationHandling = Newtonsoft.Json.ObjectCreationHandling.Replace;
        });
        silo.Services.AddOptions<GrainCollectionOptions>()
            .Configure<IOptions<GridOptions>>((collection, grid) => collection.DeactivationTimeout = grid.Value.ShutdownGracePeriod);
        silo.Services.AddSingleton<LocalSiloInventory>();
        silo.Services.AddSingleton<ClusterDeviceView>();
        silo.Services.AddSingleton<SiloModelResidency>();
        silo.Services.AddSingleton<ModelEngineFactory>();
        silo.AddPlacementDirector<DeviceAwarePlacementStrategy, DeviceAwarePlacementDirector>();
        silo.Services.AddSingleton(sp => new CheckpointPreparer(sp.GetRequiredService<IOptions<GridOptions>>().Value.ModelCacheDirectory));
        silo.Services.AddSingleton<SiloReporter>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloReporter>());
        silo.Services.AddSingleton<TokenizerCache>();
        silo.Services.AddSingleton<PathRoots>();
        silo.Services.AddSingleton<EvaluationRunExecutor>();
        silo.Services.AddSingleton<RunResumer>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RunResumer>());

        silo.AddMemoryStreams(StreamProviderName);
        return silo;
    }

    /// <summary>Grain state on the local disk under <see cref="GridOptions.GrainStateDirectory"/>: the embedded default.</summary>
    public static ISiloBuilder AddGridFileStorage(this ISiloBuilder silo)
    {
        foreach (var name in StorageNames)
        {
            silo.Services.AddGrainStorage(name, (sp, storageName) => new FileGrainStorage(
                storageName,
                new FileGrainStorageOptions { RootDirectory = sp.GetRequiredService<IOptions<GridOptions>>().Value.GrainStateDirectory },
                sp.GetRequiredService<IOptions<ClusterOptions>>(),
                sp.GetRequiredService<IGrainStorageSerializer>()));
        }

        return silo;
    }
}
