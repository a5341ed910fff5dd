using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Utilities;
using VerlOrleans.Contracts.Cluster;

namespace VerlOrleans.Grains.Cluster;

/// <summary>
/// Joins Orleans membership (who is in the cluster, and in what state) with what each silo reported
/// about its devices. Reports are soft state: silos re-send them every few seconds, so nothing is persisted.
/// </summary>
[KeepAlive] // Reports are soft state: losing them to idle collection would blank the overview until the next heartbeat.
public sealed class ClusterDirectoryGrain(IOptions<ClusterOptions> cluster, TimeProvider clock, ILogger<ClusterDirectoryGrain> logger)
    : Grain, IClusterDirectoryGrain
{
    private readonly Dictionary<string, SiloReport> _reports = [];
    private readonly ObserverManager<IClusterDirectoryObserver> _observers = new(TimeSpan.FromMinutes(2), logger);
    private string? _membershipSeen;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A silo that dies stops reporting: membership changes are noticed here, between reports.
        var period = TimeSpan.FromSeconds(2);
        this.RegisterGrainTimer(CheckMembershipAsync, new GrainTimerCreationOptions(period, period) { Interleave = true });
        return Task.CompletedTask;
    }

    public async Task ReportSiloAsync(SiloReport report)
    {
        _reports[report.SiloAddress] = report;
        await PublishAsync();
    }

    public Task SubscribeAsync(IClusterDirectoryObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(IClusterDirectoryObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    private async Task CheckMembershipAsync(CancellationToken cancellationToken)
    {
        if (_observers.Count == 0)
        {
            return;
        }

        var hosts = await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: false);
        var membership = string.Join(";", hosts.Select(h => $"{h.Key.ToParsableString()}={h.Value}").Order(StringComparer.Ordinal));
        if (membership != _membershipSeen)
        {
            _membershipSeen = membership;
            await PublishAsync();
        }
    }

    private async Task PublishAsync()
    {
        if (_observers.Count == 0)
        {
            return;
        }

        var overview = await GetOverviewAsync();
        // Not awaited: a slow dashboard must not hold up the silos' reports.
        _ = _observers.Notify((Func<IClusterDirectoryObserver, Task>)(o => o.OnOverviewAsync(overview)));
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
