namespace VerlOrleans.Evaluation.Datasets;

/// <summary>
/// A dataset file is unreadable or does not have verl's shape. The message names the file and, where there is one,
/// the row (0-based within the file) and the column or key at fault.
/// </summary>
public sealed class DatasetFormatException : Exception
{
    public DatasetFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        FilePath = path;
    }

    public DatasetFormatException(string path, long row, string problem, Exception? inner = null)
        : base($"{path}: row {row}: {problem}", inner)
    {
        FilePath = path;
        Row = row;
    }

    public string FilePath { get; }

    /// <summary>The 0-based row within the file, when the problem is in one row.</summary>
    public long? Row { get; }
}
