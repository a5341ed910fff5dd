namespace VerlOrleans.Silo.Tests.Cluster;

/// <summary>The multi-silo tests run one after another: each starts several silo processes on a 2-core machine.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
