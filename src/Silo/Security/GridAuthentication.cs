using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using VerlOrleans.Contracts.Access;
using VerlOrleans.Silo.Hosting;

namespace VerlOrleans.Silo.Security;

/// <summary>
/// Who may do what (<c>VerlOrleans:Auth</c>). An API client sends a bearer token; a browser signs in once with a token and
/// then carries a cookie (the dashboard, <c>/orleans</c> and result downloads); with no tokens configured every caller is
/// the open grid's admin, which the grid allows only on loopback. Every endpoint needs <see cref="GridPolicies.Read"/>
/// unless it says otherwise; writes say <see cref="GridPolicies.Admin"/>.
/// </summary>
public static class GridAuthentication
{
    public const string CookieScheme = "DashboardCookie";
    public const string LoginPath = "/login";
    public const string LogoutPath = "/auth/logout";

    private const string SelectorScheme = "Grid";

    public static WebApplicationBuilder AddGridAuthentication(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(AuthSettings.SectionName);
        var settings = section.Get<AuthSettings>() ?? new AuthSettings();
        if (settings.Problems() is { Count: > 0 } problems)
        {
            throw new StartupRefusedException("VerlOrleans refuses to start: " + string.Join("; ", problems));
        }

        ListenAddresses.RefuseOpenOffLoopback(builder.Configuration, settings);
        builder.Services.Configure<AuthSettings>(section);

        builder.Services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "token or dashboard cookie", o => o.ForwardDefaultSelector = context => SchemeFor(context, settings))
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, OpenAccessAuthenticationHandler>(OpenAccessAuthenticationHandler.SchemeName, null)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "verlorleans.auth";
                o.Cookie.HttpOnly = true;
                // Lax: links into the dashboard from chat or mail still arrive signed in; cross-site POSTs carry no cookie.
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = settings.SessionLifetime;
                o.SlidingExpiration = true;
                o.LoginPath = LoginPath;
                o.LogoutPath = LogoutPath;
                o.AccessDeniedPath = LoginPath;
                o.ReturnUrlParameter = "returnUrl";
                // A session lasts only while its token does: removed or rotated in the settings, the next request signs it out.
                o.Events.OnValidatePrincipal = context =>
                {
                    var current = context.HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<AuthSettings>>().CurrentValue;
                    if (!ApiTokenAuthenticationHandler.StillValid(context.Principal, current))
                    {
                        context.RejectPrincipal();
                    }

                    return Task.CompletedTask;
                };
                o.Events.OnRedirectToLogin = context => IsApi(context.Request)
                    ? Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A token is needed", detail: "The dashboard session has ended: sign in again.").ExecuteAsync(context.HttpContext)
                    : Redirect(context);
                o.Events.OnRedirectToAccessDenied = context => IsApi(context.Request)
                    ? Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "This needs an admin token",
                        detail: $"'{context.HttpContext.User.Identity?.Name}' is signed in read-only: this needs role '{GridRoles.Admin}'.").ExecuteAsync(context.HttpContext)
                    : Redirect(context);
            });

        var read = new AuthorizationPolicyBuilder().RequireRole(GridRoles.Read, GridRoles.Admin).Build();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(GridPolicies.Read, read)
            .AddPolicy(GridPolicies.Admin, p => p.RequireRole(GridRoles.Admin))
            // Whatever maps no policy of its own (the dashboard's pages and circuit, /orleans, result downloads) needs a reader.
            .SetFallbackPolicy(read);
        builder.Services.AddCascadingAuthenticationState();
        return builder;
    }

    private static string SchemeFor(HttpContext context, AuthSettings settings)
    {
        if (settings.IsOpen)
        {
            return OpenAccessAuthenticationHandler.SchemeName;
        }

        if (context.Request.Headers.Authorization.Count > 0)
        {
            return ApiTokenAuthenticationHandler.SchemeName;
        }

        // A browser's dashboard session may download results from /api; any other API caller is told to send a token.
        return IsApi(context.Request) && !context.Request.Cookies.ContainsKey("verlorleans.auth") ? ApiTokenAuthenticationHandler.SchemeName : CookieScheme;
    }

    // The grid's API and the OpenAI-compatible one: a client without a token gets a 401, not a redirect to the sign-in page.
    private static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase);

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
