using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using VerlOrleans.Contracts.Inputs;

namespace VerlOrleans.Silo.Api;

/// <summary>
/// How the API answers what goes wrong: RFC 7807 problem details, never a stack trace. A refusal names its fields; a
/// body that is not the JSON the endpoint reads names the JSON path; anything else is a 500 that says only its
/// correlation id, under which the exception is logged.
/// </summary>
public static partial class ApiProblems
{
    /// <summary>Problem details for refused fields (by JSON path in the request), with the HTTP status of the refusal.</summary>
    public static IResult Refused(IReadOnlyList<FieldError> errors, int status = StatusCodes.Status400BadRequest) =>
        Results.ValidationProblem(
            errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            detail: "The request was refused before anything started: " + string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}")),
            statusCode: status,
            title: status switch
            {
                StatusCodes.Status403Forbidden => "A path is outside the folders this grid may read",
                StatusCodes.Status422UnprocessableEntity => "Not something this grid can evaluate",
                StatusCodes.Status507InsufficientStorage => "Not enough free disk space",
                StatusCodes.Status429TooManyRequests => "Too many runs going at once",
                _ => "One or more fields are invalid",
            });

    /// <summary>Catches what endpoints throw and answers it as problem details (wired with UseExceptionHandler).</summary>
    public static IApplicationBuilder UseApiProblems(this IApplicationBuilder app) =>
        app.UseExceptionHandler(handler => handler.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var result = error switch
            {
                RequestRefusedException refused => Refused(refused.Errors.Count > 0 ? refused.Errors : [new FieldError("request", refused.Message)], refused.Status),
                BadHttpRequestException { InnerException: JsonException json } => Results.Problem(
                    statusCode: StatusCodes.Status400BadRequest, title: "The body is not the JSON this endpoint reads",
                    detail: $"{(json.Path is { Length: > 0 } path ? $"at {path}: " : "")}{FirstLine(json.Message)}"),
                BadHttpRequestException bad => Results.Problem(statusCode: bad.StatusCode, title: "Bad request", detail: FirstLine(bad.Message)),
                _ => null,
            };

            if (result is null)
            {
                var id = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
                LogUnhandled(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiProblems)), error, context.Request.Method, context.Request.Path, id);
                result = Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Internal error",
                    detail: $"The grid could not answer this request; it is logged under correlation id {id}.",
                    extensions: new Dictionary<string, object?> { ["correlationId"] = id });
            }

            await result.ExecuteAsync(context);
        }));

    /// <summary>
    /// Refuses a body larger than <paramref name="maxBytes"/> by its Content-Length before it is read, with problem
    /// details (Kestrel's own limit, the backstop for a chunked body, answers a bare 413).
    /// </summary>
    public static IApplicationBuilder UseRequestSizeLimit(this IApplicationBuilder app, long maxBytes) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.ContentLength is { } length && length > maxBytes)
            {
                await Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large",
                    detail: $"The body has {length} bytes; this API reads at most {maxBytes} (VerlOrleans:Limits:MaxRequestBytes).").ExecuteAsync(context);
                return;
            }

            await next(context);
        });

    /// <summary>Also map binding failures to exceptions, so the handler above answers them with their JSON path.</summary>
    public static IServiceCollection AddApiProblems(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    // JSON messages carry a line of their own per detail; the first says what is wrong.
    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error in {Method} {Path} (correlation id {CorrelationId})")]
    private static partial void LogUnhandled(ILogger logger, Exception? exception, string method, string path, string correlationId);
}
