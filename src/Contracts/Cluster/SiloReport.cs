namespace VerlOrleans.Contracts.Cluster;

/// <summary>What one silo tells the cluster directory about itself, on start and then periodically.</summary>
/// <param name="SiloAddress">Orleans silo address (parsable form), the key of the report.</param>
/// <param name="HostName">Machine name the silo runs on.</param>
/// <param name="StartedAt">When the silo process started.</param>
/// <param name="ReportedAt">When this report was made; stale reports mark a silo as silent.</param>
/// <param name="Devices">Compute devices the silo offers.</param>
/// <param name="Torch">State of the silo's TorchSharp runtime.</param>
[GenerateSerializer, Immutable]
public sealed record SiloReport(
    [property: Id(0)] string SiloAddress,
    [property: Id(1)] string HostName,
    [property: Id(2)] DateTimeOffset StartedAt,
    [property: Id(3)] DateTimeOffset ReportedAt,
    [property: Id(4)] IReadOnlyList<ComputeDeviceInfo> Devices,
    [property: Id(5)] TorchRuntimeInfo Torch);
