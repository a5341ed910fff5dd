namespace VerlOrleans.Inference.Text.Tokenization;

/// <summary>
/// A tokenizer file is malformed or describes a tokenizer this project does not support. The message always
/// names the file and the JSON field at fault, so a user can fix it without a debugger.
/// </summary>
public sealed class TokenizerFormatException : Exception
{
    public TokenizerFormatException(string path, string problem)
        : base($"{path}: {problem}")
    {
        FilePath = path;
    }

    public TokenizerFormatException(string path, string problem, Exception inner)
        : base($"{path}: {problem}", inner)
    {
        FilePath = path;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }
}
