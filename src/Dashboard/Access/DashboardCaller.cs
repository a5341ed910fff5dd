using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using VerlOrleans.Contracts.Inputs;

namespace VerlOrleans.Dashboard.Access;

/// <summary>
/// The signed-in caller of this circuit. Pages disable what a read-only caller may not do, and every handler that changes
/// the grid asks <see cref="RequireAdminAsync"/> again on the server, since a disabled button is only a hint.
/// </summary>
public sealed class DashboardCaller(IServiceProvider services)
{
    /// <summary>The caller; a host without authentication (a component test) is the open grid.</summary>
    public async Task<GridCaller> GetAsync() => services.GetService<AuthenticationStateProvider>() is { } provider
        ? GridCaller.From((await provider.GetAuthenticationStateAsync()).User)
        : GridCaller.Open;

    /// <summary>The caller when an admin; otherwise a refusal saying an admin token is needed.</summary>
    public async Task<GridCaller> RequireAdminAsync()
    {
        var caller = await GetAsync();
        return caller.IsAdmin ? caller : throw new RequestRefusedException([new FieldError("caller", caller.AdminHint!)], status: 403);
    }
}
