using VerlOrleans.Contracts.Cluster;

namespace VerlOrleans.Grains.Cluster;

/// <summary>
/// This silo's latest copy of the cluster overview (devices and model budgets of every silo), refreshed by the
/// <see cref="SiloReporter"/>. Placement reads it synchronously: a placement decision must not wait on a grain call.
/// </summary>
public sealed class ClusterDeviceView
{
    private ClusterOverview? _latest;

    public ClusterOverview? Latest => Volatile.Read(ref _latest);

    public void Update(ClusterOverview overview) => Volatile.Write(ref _latest, overview);
}
