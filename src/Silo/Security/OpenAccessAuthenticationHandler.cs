using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using VerlOrleans.Contracts.Access;

namespace VerlOrleans.Silo.Security;

/// <summary>
/// The open grid's scheme (loopback, no tokens configured): every request is the caller <c>local</c> with the admin
/// role, so policies, per-caller limits and the dashboard's buttons work the same way as on a secured grid.
/// </summary>
public sealed class OpenAccessAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Open";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, GridRoles.OpenCaller), new Claim(ClaimTypes.Role, GridRoles.Admin), new Claim(GridRoles.OpenClaim, "true")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
