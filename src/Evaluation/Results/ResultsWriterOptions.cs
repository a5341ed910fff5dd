namespace VerlOrleans.Evaluation.Results;

/// <summary>Settings of <see cref="ResultsWriter"/>.</summary>
public sealed record ResultsWriterOptions
{
    /// <summary>Continue a run already in the folder (skipping its completed samples) instead of refusing the folder.</summary>
    public bool Resume { get; init; }

    /// <summary>Results buffered per Parquet row group.</summary>
    public int ParquetRowGroupSize { get; init; } = 512;

    /// <summary>fsync every appended line (survives power loss, not just a process crash); slower.</summary>
    public bool FlushToDisk { get; init; }
}
