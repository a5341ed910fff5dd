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

    /// <summary>
    /// Takes a new overview. A silo it lists without devices (the directory grain was just re-activated after its silo
    /// died, and that silo has not reported to it yet) keeps the devices of the previous copy, so placement does not
    /// lose sight of healthy silos for a report interval.
    /// </summary>
    public void Update(ClusterOverview overview)
    {
        var previous = Latest;
        if (previous is not null)
        {
            var known = previous.Silos.Where(s => s.Devices.Count > 0).ToDictionary(s => s.SiloAddress, StringComparer.Ordinal);
            overview = overview with
            {
                Silos = overview.Silos
                    .Select(s => s.Devices.Count == 0 && known.TryGetValue(s.SiloAddress, out var before)
                        ? s with { Devices = before.Devices, Torch = s.Torch ?? before.Torch }
                        : s)
                    .ToList(),
            };
        }

        Volatile.Write(ref _latest, overview);
    }
}
