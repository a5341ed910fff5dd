using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using VerlOrleans.Testing;

namespace VerlOrleans.Dashboard.Tests;

/// <summary>A bUnit context wired as the silo wires the dashboard: MudBlazor, and the real test cluster's grains.</summary>
internal static class DashboardTestContext
{
    public static BunitContext Create(GridClusterFixture fixture)
    {
        var context = new BunitContext();
        context.Services.AddMudServices();
        context.Services.AddSingleton<IGrainFactory>(fixture.Client);
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        return context;
    }
}
