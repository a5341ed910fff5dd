using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using VerlOrleans.Contracts.Access;

namespace VerlOrleans.Silo.Security;

/// <summary>
/// <c>Authorization: Bearer TOKEN</c> against the configured token hashes. No header: no result (a 401 once a policy asks);
/// a token that matches none: a failure, logged with the caller's address but never the token.
/// </summary>
public sealed partial class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<AuthSettings> settings) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    private const string TokenClaim = "verlorleans:token";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var token = header["Bearer ".Length..].Trim();
        var match = Find(settings.Value, token);
        if (match is null)
        {
            LogRefused(Logger, Context.Connection.RemoteIpAddress?.ToString() ?? "?", Request.Path);
            return Task.FromResult(AuthenticateResult.Fail("the bearer token matches none of VerlOrleans:Auth:Tokens"));
        }

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(Principal(match, SchemeName), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer realm=\"verlorleans\"";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A token is needed",
            detail: Request.Headers.Authorization.Count > 0
                ? "The bearer token is not one this grid accepts."
                : "Send an API token: Authorization: Bearer TOKEN (the CLI reads it from VERLORLEANS_TOKEN or --token-file).").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "This needs an admin token",
            detail: $"The token '{Context.User.Identity?.Name}' is read-only: starting, cancelling, registering and deleting need a token with role '{GridRoles.Admin}'.").ExecuteAsync(Context);

    /// <summary>The configured token <paramref name="token"/> is, or null. Every entry is compared, so timing says nothing.</summary>
    public static ApiTokenSettings? Find(AuthSettings settings, string token)
    {
        ApiTokenSettings? match = null;
        foreach (var candidate in settings.Tokens)
        {
            if (ApiTokenHash.Matches(token, candidate.Hash))
            {
                match = candidate;
            }
        }

        return match;
    }

    /// <summary>A caller with the token's name and role, and which token it was (its hash; a session cookie is encrypted).</summary>
    public static ClaimsPrincipal Principal(ApiTokenSettings token, string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, token.Name), new Claim(ClaimTypes.Role, token.Role), new Claim(TokenClaim, token.Hash)], scheme));

    /// <summary>True while the settings still hold the token <paramref name="user"/> signed in with, under the same name and role.</summary>
    public static bool StillValid(ClaimsPrincipal? user, AuthSettings settings) =>
        user?.FindFirst(TokenClaim)?.Value is { } hash
        && settings.Tokens.Any(t => t.Hash == hash && t.Name == user.Identity?.Name && user.IsInRole(t.Role));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused an unknown API token from {Address} for {Path}")]
    private static partial void LogRefused(ILogger logger, string address, string path);
}
