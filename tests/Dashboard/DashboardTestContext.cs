using System.Security.Claims;
using Bunit;
using VerlOrleans.Contracts.Access;
using Microsoft.Extensions.DependencyInjection;
using VerlOrleans.Testing;

namespace VerlOrleans.Dashboard.Tests;

/// <summary>A bUnit context wired as the silo wires the dashboard: its services, and the real test cluster's grains.</summary>
internal static class DashboardTestContext
{
    /// <summary>A context whose circuit belongs to the open grid's caller, or to <paramref name="caller"/> with <paramref name="role"/>.</summary>
    public static BunitContext Create(GridClusterFixture fixture, string? caller = null, string role = GridRoles.Admin)
    {
        var context = new BunitContext();
        context.Services.AddSingleton<IGrainFactory>(fixture.Client);
        context.Services.AddVerlOrleansDashboard();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        var authorization = context.AddAuthorization();
        authorization.SetAuthorized(caller ?? GridRoles.OpenCaller);
        authorization.SetRoles(role);
        if (caller is null)
        {
            authorization.SetClaims(new Claim(GridRoles.OpenClaim, "true"));
        }

        return context;
    }
}
