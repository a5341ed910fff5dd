namespace VerlOrleans.Evaluation;

/// <summary>A JSON Lines file cannot be read: the message names the file and line.</summary>
public sealed class JsonLinesFormatException : Exception
{
    public JsonLinesFormatException(string path, int line, string problem, Exception? inner = null)
        : base(line > 0 ? $"{path}: line {line}: {problem}" : $"{path}: {problem}", inner)
    {
        FilePath = path;
        Line = line;
        Problem = problem;
    }

    public string FilePath { get; }

    /// <summary>1-based line, or 0 when the problem is the whole file.</summary>
    public int Line { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }
}
