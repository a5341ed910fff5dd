using VerlOrleans.Testing;

namespace VerlOrleans.Dashboard.Tests;

/// <summary>Dashboard component tests render against one real in-process cluster.</summary>
[CollectionDefinition(Name)]
public sealed class GridClusterCollection : ICollectionFixture<GridClusterFixture>
{
    public const string Name = "grid cluster";
}
