using Microsoft.Extensions.Options;
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
        // The host waits for the silo's graceful stop (runs drained and handed off) plus some room for the web server.
        builder.Services.AddOptions<HostOptions>()
            .Configure<IOptions<GridOptions>>((host, grid) => host.ShutdownTimeout = grid.Value.ShutdownGracePeriod + TimeSpan.FromSeconds(15));

        builder.UseOrleans(silo =>
        {
            silo.UseGridCluster(cluster);
            silo.AddVerlOrleansGrid();
            silo.AddDashboard();
        });
        return builder;
    }
}
