namespace VerlOrleans.Contracts.Cluster;

/// <summary>
/// One compute device a silo offers to model grains. <see cref="Id"/> is the TorchSharp device string
/// (<c>cpu</c>, <c>cuda:0</c>), which placement and model grains use to address it.
/// </summary>
/// <param name="Id">TorchSharp device string, unique within a silo.</param>
/// <param name="Kind">"cpu" or "cuda".</param>
/// <param name="Name">Human-readable name (CPU model, GPU name).</param>
/// <param name="TotalMemoryBytes">Memory usable by models on this device (host RAM for the CPU).</param>
/// <param name="FreeMemoryBytes">Memory free right now, when the device can tell.</param>
/// <param name="Cores">Logical cores (CPU) or streaming multiprocessors (GPU), when known.</param>
/// <param name="ModelBudgetFreeBytes">Room left for models in the silo's budget for this device (placement reads it).</param>
/// <param name="ModelBudgetBytes">The whole model budget of this device: room that evicting idle models could make.</param>
[GenerateSerializer, Immutable]
public sealed record ComputeDeviceInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Kind,
    [property: Id(2)] string Name,
    [property: Id(3)] long TotalMemoryBytes,
    [property: Id(4)] long? FreeMemoryBytes,
    [property: Id(5)] int? Cores,
    [property: Id(6)] long? ModelBudgetFreeBytes = null,
    [property: Id(7)] long? ModelBudgetBytes = null);
