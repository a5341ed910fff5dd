using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace VerlOrleans.Silo.Security;

/// <summary>
/// The dashboard's sign-in: the login page (a dashboard page) posts a token here, which becomes a cookie session with
/// the token's name and role; sign-out ends it. Both forms carry an antiforgery token.
/// </summary>
public static class LoginEndpoints
{
    public static IEndpointRouteBuilder MapLoginEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/auth/login", async (HttpContext http, IOptions<AuthSettings> settings, [FromForm] string? token, [FromForm] string? returnUrl) =>
        {
            var target = LocalOrHome(returnUrl);
            if (settings.Value.IsOpen)
            {
                return Results.LocalRedirect(target);
            }

            if (ApiTokenAuthenticationHandler.Find(settings.Value, token?.Trim() ?? "") is not { } match)
            {
                return Results.LocalRedirect($"{GridAuthentication.LoginPath}?failed=1&returnUrl={Uri.EscapeDataString(target)}");
            }

            var principal = ApiTokenAuthenticationHandler.Principal(match, GridAuthentication.CookieScheme);
            await http.SignInAsync(GridAuthentication.CookieScheme, principal, new AuthenticationProperties { IsPersistent = true });
            return Results.LocalRedirect(target);
        }).AllowAnonymous().WithName("SignIn").ExcludeFromDescription();

        app.MapPost(GridAuthentication.LogoutPath, async (HttpContext http) =>
        {
            await http.SignOutAsync(GridAuthentication.CookieScheme);
            return Results.LocalRedirect(GridAuthentication.LoginPath);
        }).AllowAnonymous().WithName("SignOut").ExcludeFromDescription();

        return app;
    }

    // Only a path on this site: a returnUrl of https://elsewhere or //elsewhere must not turn sign-in into a redirector.
    private static string LocalOrHome(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";
}
