using System.Net;
using System.Text.Json;
using VerlOrleans.Contracts.Inputs;

namespace VerlOrleans.Cli.Grid;

/// <summary>
/// Turns the HTTP API's refusals (RFC 7807 problem details) into the exceptions the gateway path throws for the same
/// thing, so that a grid command prints the same lines and exits with the same code either way.
/// </summary>
internal static class HttpGridProblems
{
    /// <summary>Where to put a token, as every message about one says it.</summary>
    public const string TokenSources = "VERLORLEANS_TOKEN or --token-file";

    /// <summary>
    /// The exception for a refusal of <paramref name="request"/> (e.g. <c>POST /api/runs</c>): field refusals name the
    /// fields as the spec names them (without <paramref name="fieldPrefix"/>, the request's own wrapping), 401 says
    /// whether a token was sent, 403 says the server's reason, 409 is the conflict the run grain reports, other client
    /// errors are usage errors, and anything else a failed call.
    /// </summary>
    public static Exception ToException(HttpStatusCode status, string? reason, string body, string request, string address, bool tokenGiven, string fieldPrefix = "")
    {
        var problem = Parse(body);
        var code = (int)status;
        var said = problem.Detail ?? problem.Title;
        if (status == HttpStatusCode.Unauthorized)
        {
            return new GridInputException(tokenGiven
                ? $"the grid at {address} refused the token ({TokenSources})"
                : $"the grid at {address} needs a token ({TokenSources})");
        }

        if (problem.Errors.Count > 0 && code is >= 400 and < 600)
        {
            return new RequestRefusedException(problem.Errors.Select(e => e with { Field = Unprefixed(e.Field, fieldPrefix) }).ToList(), code);
        }

        return status switch
        {
            HttpStatusCode.BadRequest => new RequestRefusedException([new FieldError("request", said ?? "was refused (400)")]),
            HttpStatusCode.Forbidden => new GridInputException(said ?? $"the grid at {address} does not let this token {request} (an admin token may)"),
            HttpStatusCode.Conflict => new InvalidOperationException(said ?? "conflicts with what the grid holds"),
            // Redirects are not followed: the token would go wherever they point (often http:// to https://).
            _ when code is >= 300 and < 400 => new GridInputException($"the grid at {address} redirects {request} ({code}); give --api the address it redirects to"),
            _ when code is >= 400 and < 500 => new GridInputException($"the grid at {address} refused {request}: {code} {said ?? reason}"),
            _ => new HttpRequestException($"the grid at {address} answered {request} with {code} {reason}" + (said is null ? "" : $": {said}"), null, status),
        };
    }

    private static string Unprefixed(string field, string prefix) =>
        prefix.Length > 0 && field.StartsWith(prefix, StringComparison.Ordinal) ? field[prefix.Length..] : field;

    /// <summary>The problem's title, detail and field errors; whatever the body is not (HTML from a proxy, nothing) stays empty.</summary>
    private static Problem Parse(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement is not { ValueKind: JsonValueKind.Object } root)
            {
                return new Problem(null, null, []);
            }

            var errors = new List<FieldError>();
            if (root.TryGetProperty("errors", out var fields) && fields.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in fields.EnumerateObject().Where(f => f.Value.ValueKind == JsonValueKind.Array))
                {
                    errors.AddRange(field.Value.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.String).Select(m => new FieldError(field.Name, m.GetString()!)));
                }
            }

            return new Problem(Text(root, "title"), Text(root, "detail"), errors);
        }
        catch (JsonException)
        {
            return new Problem(null, null, []);
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private sealed record Problem(string? Title, string? Detail, IReadOnlyList<FieldError> Errors);
}
