namespace VerlOrleans.Evaluation.Prompts;

/// <summary>
/// A row cannot become a prompt and filtering is off: its prompt is longer than max_prompt_length with
/// truncation <c>error</c> (verl raises too), or the chat template fails on it. Names the file and row.
/// </summary>
public sealed class PromptBuildException(string sourceFile, long rowInFile, string problem, Exception? inner = null)
    : Exception($"{sourceFile}: row {rowInFile}: {problem}", inner)
{
    public string SourceFile { get; } = sourceFile;

    public long RowInFile { get; } = rowInFile;
}
