namespace VerlOrleans.Checkpoints;

/// <summary>
/// A checkpoint file is malformed or unsupported. The message always names the file (and the tensor,
/// key or field when there is one), so a user can find what is wrong without a debugger.
/// </summary>
public sealed class CheckpointFormatException : Exception
{
    public CheckpointFormatException(string path, string problem)
        : base($"{path}: {problem}")
    {
        FilePath = path;
    }

    public CheckpointFormatException(string path, string problem, Exception inner)
        : base($"{path}: {problem}", inner)
    {
        FilePath = path;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }
}
