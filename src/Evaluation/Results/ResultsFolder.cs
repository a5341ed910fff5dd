namespace VerlOrleans.Evaluation.Results;

/// <summary>The files of a results folder.</summary>
public static class ResultsFolder
{
    public const string ManifestFile = "manifest.json";
    public const string ResultsJsonlFile = "results.jsonl";
    public const string ResultsParquetFile = "results.parquet";
    public const string MetricsFile = "metrics.json";

    /// <summary>What became of the prompts: counts, and every filtered or truncated row.</summary>
    public const string PromptReportFile = "prompt_report.json";

    /// <summary>An imported run's rejected lines and score disagreements with verl.</summary>
    public const string ImportReportFile = "import_report.json";

    /// <summary>Writes text through a temporary file renamed into place, so readers never see half a file.</summary>
    internal static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
