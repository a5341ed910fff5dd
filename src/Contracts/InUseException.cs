namespace VerlOrleans.Contracts;

/// <summary>
/// A deletion refused because something still uses what it names: a run that is queued or running, a sweep that is
/// still running, a checkpoint whose model a run in progress generates with. Nothing was changed; the message says
/// what uses it and what to do first (cancel it). The HTTP API answers 409 with the message; the CLI prints it.
/// </summary>
[GenerateSerializer]
public sealed class InUseException : Exception
{
    public InUseException()
    {
    }

    public InUseException(string message)
        : base(message)
    {
    }

    public InUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
