namespace VerlOrleans.Inference.Models;

/// <summary>
/// A model folder cannot be served: its config is malformed or names an architecture or feature this engine
/// does not implement, or its weights do not match the config. The message names the file and the field or tensor.
/// </summary>
public sealed class ModelFormatException : Exception
{
    public ModelFormatException(string path, string problem)
        : base($"{path}: {problem}")
    {
        FilePath = path;
    }

    public ModelFormatException(string path, string problem, Exception inner)
        : base($"{path}: {problem}", inner)
    {
        FilePath = path;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }
}
