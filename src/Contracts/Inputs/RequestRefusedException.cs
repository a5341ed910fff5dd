namespace VerlOrleans.Contracts.Inputs;

/// <summary>
/// A grain refused a request before changing any state: the fields at fault and why (a path outside the allowed
/// roots, a checkpoint that is no checkpoint, a full disk). The HTTP API answers it as problem details with
/// <see cref="Status"/>; the CLI prints the same messages.
/// </summary>
[GenerateSerializer]
public sealed class RequestRefusedException : Exception
{
    public RequestRefusedException()
    {
    }

    public RequestRefusedException(string message)
        : base(message)
    {
    }

    public RequestRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RequestRefusedException(IReadOnlyList<FieldError> errors, int status = 400)
        : base(string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}")))
    {
        Errors = errors;
        Status = status;
    }

    /// <summary>The refused fields, by JSON path in the request.</summary>
    [Id(0)]
    public IReadOnlyList<FieldError> Errors { get; init; } = [];

    /// <summary>The HTTP status that says it: 400 (bad field), 403 (outside the roots), 422 (not a checkpoint), 507 (disk full).</summary>
    [Id(1)]
    public int Status { get; init; } = 400;
}
