using VerlOrleans.Silo.Hosting;

namespace VerlOrleans.Silo.Tests.Cluster;

/// <summary>A cluster setting that cannot start a silo is refused before Orleans starts, naming the key.</summary>
public sealed class ClusterSettingsTests
{
    [Fact]
    public void The_embedded_default_needs_nothing_else() => Assert.Null(new ClusterSettings().Problem());

    [Theory]
    [InlineData("Consul", null, "VerlOrleans:Cluster:Provider 'Consul' is not supported; use one of: Localhost, Redis, AdoNet")]
    [InlineData("Redis", null, "VerlOrleans:Cluster:ConnectionString is required for the Redis provider")]
    [InlineData("AdoNet", " ", "VerlOrleans:Cluster:ConnectionString is required for the AdoNet provider")]
    public void A_setting_that_cannot_start_a_silo_names_its_key(string provider, string? connectionString, string problem)
    {
        var settings = new ClusterSettings { Provider = provider, ConnectionString = connectionString };
        Assert.Equal(problem, settings.Problem());
        var refused = Assert.Throws<StartupRefusedException>(() => new FakeSiloBuilder().UseGridCluster(settings));
        Assert.Equal(problem, refused.Message);
    }

    [Fact]
    public void Failure_detection_must_be_positive() =>
        Assert.Contains("ProbeTimeout", new ClusterSettings { ProbeTimeout = TimeSpan.Zero }.Problem(), StringComparison.Ordinal);

    private sealed class FakeSiloBuilder : ISiloBuilder
    {
        public Microsoft.Extensions.DependencyInjection.IServiceCollection Services { get; } = new Microsoft.Extensions.DependencyInjection.ServiceCollection();

        public Microsoft.Extensions.Configuration.IConfiguration Configuration { get; } = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
    }
}
