namespace VerlOrleans.Evaluation.Datasets;

/// <summary>The formats verl's <c>RLHFDataset</c> loads.</summary>
public enum DatasetFileFormat
{
    Parquet,

    /// <summary>JSON Lines (<c>.jsonl</c>), or a <c>.json</c> file holding JSON Lines or one array of row objects.</summary>
    Json,
}

/// <summary>One input file: where it is, what it holds, and the content hash that identifies it in manifests and uids.</summary>
public sealed record DatasetFile(string Path, DatasetFileFormat Format, long SizeBytes, string Sha256, long Rows)
{
    /// <summary>The format verl would read <paramref name="path"/> as, from its extension.</summary>
    public static DatasetFileFormat FormatOf(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".parquet" => DatasetFileFormat.Parquet,
        ".json" or ".jsonl" => DatasetFileFormat.Json,
        _ => throw new DatasetFormatException(path, "unsupported dataset format (verl reads .parquet, .json and .jsonl)"),
    };
}
