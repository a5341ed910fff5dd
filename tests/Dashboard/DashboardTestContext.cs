using Bunit;
using Microsoft.Extensions.DependencyInjection;
using VerlOrleans.Testing;

namespace VerlOrleans.Dashboard.Tests;

/// <summary>A bUnit context wired as the silo wires the dashboard: its services, and the real test cluster's grains.</summary>
internal static class DashboardTestContext
{
    public static BunitContext Create(GridClusterFixture fixture)
    {
        var context = new BunitContext();
        context.Services.AddSingleton<IGrainFactory>(fixture.Client);
        context.Services.AddVerlOrleansDashboard();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        return context;
    }
}
