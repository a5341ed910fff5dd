using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests.Grid;

/// <summary>Test classes in this collection drive one real silo process (its own ports, cluster id and data directory).</summary>
[CollectionDefinition(Name)]
public sealed class GridSiloCollection : ICollectionFixture<SiloProcess>
{
    public const string Name = "grid silo process";
}
