namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>What went wrong in a template: its syntax, its evaluation, its own <c>raise_exception</c>, or a limit.</summary>
public enum JinjaErrorKind
{
    Syntax,
    Runtime,
    Raised,
    Limit,
}

/// <summary>
/// A template could not be parsed or rendered. <see cref="Line"/> and <see cref="Column"/> (1-based) point at
/// the template source; for <see cref="JinjaErrorKind.Raised"/>, <see cref="Detail"/> is exactly the text the
/// template passed to <c>raise_exception</c>.
/// </summary>
public sealed class JinjaException : Exception
{
    public JinjaException(JinjaErrorKind kind, string detail, int line, int column, Exception? inner = null)
        : base($"line {line}, column {column}: {detail}", inner)
    {
        Kind = kind;
        Detail = detail;
        Line = line;
        Column = column;
    }

    public JinjaErrorKind Kind { get; }

    public string Detail { get; }

    public int Line { get; }

    public int Column { get; }
}
