namespace VerlOrleans.Contracts.Cluster;

/// <summary>Live facts about the whole cluster, as of <see cref="At"/>.</summary>
/// <param name="ClusterId">Orleans cluster id.</param>
/// <param name="ServiceId">Orleans service id (stable across deployments; keys persisted state).</param>
/// <param name="At">When the overview was assembled.</param>
/// <param name="Silos">Every silo known to membership, active first.</param>
[GenerateSerializer, Immutable]
public sealed record ClusterOverview(
    [property: Id(0)] string ClusterId,
    [property: Id(1)] string ServiceId,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] IReadOnlyList<SiloOverview> Silos)
{
    /// <summary>Silos whose membership status is Active.</summary>
    public int ActiveSiloCount => Silos.Count(s => s.Status == "Active");
}
