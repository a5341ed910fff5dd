using System.Security.Claims;
using VerlOrleans.Contracts.Access;

namespace VerlOrleans.Silo.Security;

/// <summary>Whose request it is, as per-caller limits and the model engine's fair share name it.</summary>
public static class CallerNames
{
    /// <summary>The caller name a request runs under: its token's name, or the open grid's caller.</summary>
    public static string CallerName(this ClaimsPrincipal user) => user.Identity?.Name ?? GridRoles.OpenCaller;
}
