using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace VerlOrleans.Silo.Hosting;

/// <summary>Healthy when a grain call round-trips and membership lists at least one active silo.</summary>
public sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var active = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return active.Count > 0
                ? HealthCheckResult.Healthy($"{active.Count} active silo(s)")
                : HealthCheckResult.Unhealthy("no active silo in membership");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("cluster unreachable", e);
        }
    }
}
