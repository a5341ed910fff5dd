using Microsoft.Extensions.Options;
using Orleans.Configuration;
using VerlOrleans.Contracts.Cluster;

namespace VerlOrleans.Grains.Cluster;

/// <summary>
/// Joins Orleans membership (who is in the cluster, and in what state) with what each silo reported
/// about its devices. Reports are soft state: silos re-send them every few seconds, so nothing is persisted.
/// </summary>
[KeepAlive] // Reports are soft state: losing them to idle collection would blank the overview until the next heartbeat.
public sealed class ClusterDirectoryGrain(IOptions<ClusterOptions> cluster, TimeProvider clock) : Grain, IClusterDirectoryGrain
{
    private readonly Dictionary<string, SiloReport> _reports = [];

    public Task ReportSiloAsync(SiloReport report)
    {
        _reports[report.SiloAddress] = report;
        return Task.CompletedTask;
    }

    public async Task<ClusterOverview> GetOverviewAsync()
    {
        var now = clock.GetUtcNow();
        var membership = await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: false);
        var silos = membership
            .Select(entry => Describe(entry.Key.ToParsableString(), entry.Key.Endpoint.Address.ToString(), entry.Value.ToString(), now))
            .OrderBy(s => s.Status == nameof(SiloStatus.Active) ? 0 : 1)
            .ThenBy(s => s.SiloAddress, StringComparer.Ordinal)
            .ToList();

        // Forget reports of silos that membership has dropped entirely.
        foreach (var gone in _reports.Keys.Where(k => silos.All(s => s.SiloAddress != k)).ToList())
        {
            _reports.Remove(gone);
        }

        return new ClusterOverview(cluster.Value.ClusterId, cluster.Value.ServiceId, now, silos);
    }

    private SiloOverview Describe(string address, string host, string status, DateTimeOffset now)
    {
        if (!_reports.TryGetValue(address, out var report))
        {
            return new SiloOverview(address, host, status, null, null, null, [], null);
        }

        return new SiloOverview(address, report.HostName, status, report.StartedAt, now - report.StartedAt, report.ReportedAt, report.Devices, report.Torch);
    }
}
