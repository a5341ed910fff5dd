namespace VerlOrleans.Evaluation.Prompts;

/// <summary>What became of a row: sent whole, sent truncated, or filtered out (never silently).</summary>
public enum PromptDisposition
{
    Kept,
    Truncated,
    Filtered,
}

/// <summary>
/// A dataset row's prompt. <see cref="Text"/> is the chat template's output (for a truncated prompt: the decode of
/// the ids sent, special tokens kept); <see cref="TokenIds"/> are the ids sent to the model (empty when filtered);
/// <see cref="TemplatedLength"/> is the token count before truncation (null when the template itself failed).
/// </summary>
public sealed record BuiltPrompt(PromptDisposition Disposition, string Text, IReadOnlyList<int> TokenIds, int? TemplatedLength, string? FilterReason)
{
    public bool IsFiltered => Disposition == PromptDisposition.Filtered;
}
