using System.Text;
using System.Text.Json.Nodes;

namespace VerlOrleans.Silo.OpenAi;

/// <summary>
/// A refusal of the OpenAI-compatible API, answered in OpenAI's error shape:
/// <c>{"error": {"message", "type", "param", "code"}}</c> with <see cref="Status"/>. Thrown while a request is read or
/// its model resolved; the endpoint turns it into the response, so no stack trace ever reaches the client.
/// </summary>
public sealed class OpenAiError : Exception
{
    public OpenAiError(int status, string message, string type, string? param = null, string? code = null)
        : base(message)
    {
        Status = status;
        Type = type;
        Param = param;
        Code = code;
    }

    public OpenAiError()
        : this(StatusCodes.Status500InternalServerError, "internal error", "server_error")
    {
    }

    public OpenAiError(string message)
        : this(StatusCodes.Status400BadRequest, message, "invalid_request_error")
    {
    }

    public OpenAiError(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = StatusCodes.Status500InternalServerError;
        Type = "server_error";
    }

    /// <summary>HTTP status of the response.</summary>
    public int Status { get; }

    /// <summary>OpenAI's error type: <c>invalid_request_error</c>, <c>not_found_error</c>, <c>server_error</c>, ...</summary>
    public string Type { get; }

    /// <summary>The request field at fault, when one is.</summary>
    public string? Param { get; }

    /// <summary>A machine-readable code (<c>model_not_found</c>, <c>unsupported_parameter</c>, ...).</summary>
    public string? Code { get; }

    /// <summary>A 400 for the field <paramref name="param"/>.</summary>
    public static OpenAiError BadField(string param, string message, string? code = "invalid_value") =>
        new(StatusCodes.Status400BadRequest, $"'{param}' {message}", "invalid_request_error", param, code);

    /// <summary>A 400 for a field this slice of the API does not implement yet (refused, never silently ignored).</summary>
    public static OpenAiError Unsupported(string param, string why) =>
        new(StatusCodes.Status400BadRequest, $"'{param}' is not supported by this endpoint yet: {why}", "invalid_request_error", param, "unsupported_parameter");

    /// <summary>The error object OpenAI clients parse.</summary>
    public JsonObject ToJson() => Body(Message, Type, Param, Code);

    /// <summary>The error object for any message (also sent as the last event of a stream that failed midway).</summary>
    public static JsonObject Body(string message, string type, string? param, string? code) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = message,
            ["type"] = type,
            ["param"] = param,
            ["code"] = code,
        },
    };

    /// <summary>The response for this error.</summary>
    public IResult ToResult() => Results.Content(ToJson().ToJsonString(GenerationResponder.Wire), "application/json", Encoding.UTF8, Status);
}
