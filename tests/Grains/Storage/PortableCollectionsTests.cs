using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Newtonsoft.Json;
using Newtonsoft.Json.Serialization;
using Orleans.Serialization;
using Orleans.Storage;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Grains.Runs;
using VerlOrleans.Grains.Storage;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Storage;

/// <summary>
/// Grain state holding lists made with collection expressions (as the demo sweep's specs are) reads back through the
/// silo's grain storage serializer, including state written before the fix named the compiler's list types.
/// </summary>
[Collection(GridClusterCollection.Name)]
public sealed class PortableCollectionsTests(GridClusterFixture fixture)
{
    private IGrainStorageSerializer Serializer => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainStorageSerializer>();

    [Fact]
    public void Run_state_with_collection_expression_lists_round_trips()
    {
        var state = State(["one.parquet"], ["a", "b", "c"]);
        Assert.StartsWith("<>z__ReadOnly", state.Status!.Spec!.DataFiles.GetType().Name, StringComparison.Ordinal);

        var read = Serializer.Deserialize<RunGrainState>(Serializer.Serialize(state));

        Assert.Equal(["one.parquet"], read!.Status!.Spec!.DataFiles);
        Assert.Equal(["a", "b", "c"], read.Status.Spec!.Sampling.Stop);
    }

    [Fact]
    public void State_written_with_the_compiler_list_type_names_reads_back()
    {
        var settings = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IOptions<OrleansJsonSerializerOptions>>().Value.JsonSerializerSettings;
        var binder = Assert.IsType<PortableCollectionsBinder>(settings.SerializationBinder);
        var old = JsonConvert.SerializeObject(State(["x.parquet", "y.parquet"], ["s"]), new JsonSerializerSettings
        {
            TypeNameHandling = settings.TypeNameHandling,
            SerializationBinder = new DefaultSerializationBinder(),
        });
        Assert.Contains("<>z__ReadOnly", old, StringComparison.Ordinal);

        var read = Serializer.Deserialize<RunGrainState>(BinaryData.FromString(old));

        Assert.Equal(["x.parquet", "y.parquet"], read!.Status!.Spec!.DataFiles);
        Assert.Equal(typeof(List<string>), PortableCollectionsBinder.Portable(read.Status.Spec!.DataFiles.GetType()));
        Assert.Same(typeof(int[]), PortableCollectionsBinder.Portable(typeof(int[])));
        Assert.NotNull(binder);
    }

    private static RunGrainState State(IReadOnlyList<string> files, IReadOnlyList<string> stop) => new()
    {
        Status = new RunStatus
        {
            RunId = "portable",
            Spec = new RunSpec { Checkpoint = "/c", DataFiles = files, Sampling = new SamplingSettings { Stop = stop } },
        },
    };
}
