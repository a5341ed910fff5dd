using Microsoft.AspNetCore.DataProtection;
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
        // Keys that protect the dashboard's antiforgery tokens (and, later, login cookies): kept across restarts and
        // shared by every silo serving the dashboard, so a page opened on one silo keeps working through another.
        var grid = builder.Configuration.GetSection(GridOptions.SectionName).Get<GridOptions>() ?? new GridOptions();
        // An API request is a small JSON document: anything larger is refused (413) before it is read.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = grid.Limits.MaxRequestBytes);
        builder.Services.AddDataProtection()
            .SetApplicationName("verlorleans")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(grid.SharedRoot, "data-protection-keys")));
        builder.Services.AddHostedService<DemoOnFirstStart>();
        // The host waits for the silo's graceful stop (runs drained and handed off) plus some room for the web server.
        builder.Services.AddOptions<HostOptions>()
            .Configure<IOptions<GridOptions>>((host, grid) => host.ShutdownTimeout = grid.Value.ShutdownGracePeriod + TimeSpan.FromSeconds(15));

        builder.UseOrleans(silo =>
        {
            silo.UseGridCluster(cluster);
            silo.UseClusterTls(cluster.Tls);
            silo.AddVerlOrleansGrid();
            silo.AddDashboard();
        });
        return builder;
    }
}
