namespace VerlOrleans.Contracts.Cluster;

/// <summary>One silo as the dashboard shows it: membership status joined with the silo's last report.</summary>
/// <param name="SiloAddress">Orleans silo address (parsable form).</param>
/// <param name="HostName">Machine name, or the address host when the silo never reported.</param>
/// <param name="Status">Orleans membership status (Active, Joining, ShuttingDown, Dead, ...).</param>
/// <param name="StartedAt">When the silo process started, if it reported.</param>
/// <param name="Uptime">Time since <see cref="StartedAt"/>, at the moment of the query.</param>
/// <param name="LastReportAt">When the silo last reported, if ever.</param>
/// <param name="Devices">Compute devices from the last report (empty when none).</param>
/// <param name="Torch">TorchSharp runtime state from the last report, if any.</param>
[GenerateSerializer, Immutable]
public sealed record SiloOverview(
    [property: Id(0)] string SiloAddress,
    [property: Id(1)] string HostName,
    [property: Id(2)] string Status,
    [property: Id(3)] DateTimeOffset? StartedAt,
    [property: Id(4)] TimeSpan? Uptime,
    [property: Id(5)] DateTimeOffset? LastReportAt,
    [property: Id(6)] IReadOnlyList<ComputeDeviceInfo> Devices,
    [property: Id(7)] TorchRuntimeInfo? Torch);
