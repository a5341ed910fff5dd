using VerlOrleans.Inference.Text.Jinja;

namespace VerlOrleans.Inference.Text.ChatTemplates;

/// <summary>
/// A chat template could not be found, parsed or rendered. Names where the template came from and, for template
/// errors, the line and column; <see cref="RaisedMessage"/> is the text of the template's own
/// <c>raise_exception</c> (e.g. "Conversation roles must alternate user/assistant/...").
/// </summary>
public sealed class ChatTemplateException : Exception
{
    public ChatTemplateException(string origin, string problem)
        : base($"{origin}: {problem}")
    {
        Origin = origin;
    }

    public ChatTemplateException(string origin, JinjaException error)
        : base($"{origin}: {error.Message}", error)
    {
        Origin = origin;
        TemplateError = error;
    }

    public string Origin { get; }

    /// <summary>The template error with its kind, line and column, when the template itself failed.</summary>
    public JinjaException? TemplateError { get; }

    public string? RaisedMessage => TemplateError?.Kind == JinjaErrorKind.Raised ? TemplateError.Detail : null;
}
