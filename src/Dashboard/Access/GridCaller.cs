using System.Security.Claims;
using VerlOrleans.Contracts.Access;

namespace VerlOrleans.Dashboard.Access;

/// <summary>Who is looking at the dashboard: their token's name, whether they may change anything, and whether the grid is open.</summary>
public sealed record GridCaller(string Name, bool IsAdmin, bool IsOpen)
{
    /// <summary>The open grid's caller (loopback, no tokens): may do everything.</summary>
    public static GridCaller Open { get; } = new(GridRoles.OpenCaller, IsAdmin: true, IsOpen: true);

    /// <summary>Why a button is disabled for this caller, or null when they may use it.</summary>
    public string? AdminHint => IsAdmin ? null : $"'{Name}' is signed in read-only: this needs an admin token";

    public static GridCaller From(ClaimsPrincipal user) => user.HasClaim(c => c.Type == GridRoles.OpenClaim)
        ? Open
        : new GridCaller(user.Identity?.Name ?? "anonymous", user.IsInRole(GridRoles.Admin), IsOpen: false);
}
