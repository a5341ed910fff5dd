using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests;

/// <summary>Grain test classes in this collection share one real in-process cluster.</summary>
[CollectionDefinition(Name)]
public sealed class GridClusterCollection : ICollectionFixture<GridClusterFixture>
{
    public const string Name = "grid cluster";
}
