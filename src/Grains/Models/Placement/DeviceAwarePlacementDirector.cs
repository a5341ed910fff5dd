using Orleans.Runtime.Placement;
using VerlOrleans.Grains.Cluster;

namespace VerlOrleans.Grains.Models.Placement;

/// <summary>
/// Picks, among the silos that can host the grain, the one whose device has the most room in its model budget
/// and at least the bytes the caller stated (GPUs preferred over CPUs). When no silo has room now, a silo whose
/// budget could hold the model after evicting idle models wins (the largest budget first); then the silo with the
/// largest device. Reads only the locally cached overview, so a decision never waits on another grain.
/// </summary>
public sealed class DeviceAwarePlacementDirector(ClusterDeviceView view) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        var required = target.RequestContextData?.TryGetValue(DeviceAwarePlacementStrategy.RequiredBytesKey, out var value) == true && value is long bytes ? bytes : 0L;
        return Task.FromResult(Choose(compatible, required, context.LocalSilo));
    }

    /// <summary>The decision itself, separate from Orleans' types for testing.</summary>
    public SiloAddress Choose(IReadOnlyList<SiloAddress> compatible, long requiredBytes, SiloAddress local)
    {
        var overview = view.Latest;
        var candidates = compatible
            .Select(silo => (Silo: silo, Report: overview?.Silos.FirstOrDefault(s => s.SiloAddress == silo.ToParsableString() && s.Status == "Active")))
            .Where(c => c.Report is not null && c.Report.Devices.Count > 0)
            .Select(c => (c.Silo, Devices: c.Report!.Devices))
            .ToList();

        var withRoom = candidates
            .SelectMany(c => c.Devices.Select(d => (c.Silo, Device: d, Free: d.ModelBudgetFreeBytes ?? d.FreeMemoryBytes ?? d.TotalMemoryBytes)))
            .Where(x => x.Free >= requiredBytes)
            .OrderBy(x => x.Device.Kind == "cuda" ? 0 : 1)
            .ThenByDescending(x => x.Free)
            .Select(x => x.Silo)
            .FirstOrDefault();
        if (withRoom is not null)
        {
            return withRoom;
        }

        var afterEviction = candidates
            .SelectMany(c => c.Devices.Select(d => (c.Silo, Budget: d.ModelBudgetBytes ?? d.TotalMemoryBytes)))
            .Where(x => x.Budget >= requiredBytes)
            .OrderByDescending(x => x.Budget)
            .Select(x => x.Silo)
            .FirstOrDefault();
        if (afterEviction is not null)
        {
            return afterEviction;
        }

        var largest = candidates
            .OrderByDescending(c => c.Devices.Max(d => d.TotalMemoryBytes))
            .Select(c => c.Silo)
            .FirstOrDefault();
        return largest ?? (compatible.Contains(local) ? local : compatible[Random.Shared.Next(compatible.Count)]);
    }
}
