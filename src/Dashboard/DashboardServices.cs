using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;
using VerlOrleans.Dashboard.Live;

namespace VerlOrleans.Dashboard;

/// <summary>What the dashboard needs in the container of whatever hosts it (the silo, or a test context).</summary>
public static class DashboardServices
{
    /// <summary>MudBlazor and the process-wide live feeds every page shares (one grain subscription each, not one per tab).</summary>
    public static IServiceCollection AddVerlOrleansDashboard(this IServiceCollection services)
    {
        services.AddMudServices();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CatalogFeed>();
        services.AddSingleton<RunWatches>();
        services.AddSingleton<SweepWatches>();
        services.AddSingleton<DirectoryWatches>();
        services.AddScoped<Access.DashboardCaller>();
        return services;
    }
}
