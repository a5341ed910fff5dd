using Orleans.Configuration;
using Orleans.Dashboard;
using VerlOrleans.Grains.Hosting;

namespace VerlOrleans.Silo.Hosting;

/// <summary>Configures the Orleans silo this process hosts, from the <c>VerlOrleans</c> configuration section.</summary>
public static class SiloHostingExtensions
{
    public static WebApplicationBuilder AddVerlOrleansSilo(this WebApplicationBuilder builder)
    {
        var cluster = builder.Configuration.GetSection(ClusterSettings.SectionName).Get<ClusterSettings>() ?? new ClusterSettings();
        builder.Services.Configure<GridOptions>(builder.Configuration.GetSection(GridOptions.SectionName));
        builder.Services.AddHostedService<DemoOnFirstStart>();

        builder.UseOrleans(silo =>
        {
            switch (cluster.Provider)
            {
                case "Localhost":
                    silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
                    break;
                default:
                    throw new InvalidOperationException(
                        $"VerlOrleans:Cluster:Provider '{cluster.Provider}' is not supported; use 'Localhost'.");
            }

            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            silo.AddVerlOrleansGrid();
            silo.AddDashboard();
        });
        return builder;
    }
}
