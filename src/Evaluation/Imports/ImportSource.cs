using System.Globalization;
using System.Text.RegularExpressions;

namespace VerlOrleans.Evaluation.Imports;

/// <summary>
/// One file verl wrote, as the importer reads it: its kind and the global step it belongs to (a validation dump is
/// named <c>&lt;global_step&gt;.jsonl</c>).
/// </summary>
public sealed partial record ImportSource(string Path, ImportKind Kind, long? Step)
{
    /// <summary>The file at <paramref name="path"/>, by its extension.</summary>
    public static ImportSource ForFile(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            throw new ImportFormatException($"{path}: no such file");
        }

        return System.IO.Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".jsonl" => new ImportSource(path, ImportKind.ValidationDump, StepOf(path)),
            ".parquet" => new ImportSource(path, ImportKind.GenerationOutput, null),
            _ => throw new ImportFormatException(
                $"{path}: not one of verl's sample outputs (a validation dump <global_step>.jsonl, or a generation parquet with a 'responses' column)"),
        };
    }

    /// <summary>
    /// A <c>trainer.validation_data_dir</c> folder: its <c>&lt;global_step&gt;.jsonl</c> files in step order. Other files
    /// are not verl's and are ignored; a folder without any is refused.
    /// </summary>
    public static IReadOnlyList<ImportSource> ForValidationFolder(string folder)
    {
        folder = System.IO.Path.GetFullPath(folder);
        if (!Directory.Exists(folder))
        {
            throw new ImportFormatException($"{folder}: no such folder");
        }

        var steps = Directory.EnumerateFiles(folder, "*.jsonl")
            .Select(f => new ImportSource(f, ImportKind.ValidationDump, StepOf(f)))
            .Where(s => s.Step is not null)
            .OrderBy(s => s.Step)
            .ToList();
        return steps.Count > 0
            ? steps
            : throw new ImportFormatException($"{folder}: holds no validation dumps (verl writes trainer.validation_data_dir/<global_step>.jsonl)");
    }

    /// <summary>The global step a dump's name says (<c>120.jsonl</c> → 120), or null.</summary>
    public static long? StepOf(string path) =>
        StepName().Match(System.IO.Path.GetFileName(path)) is { Success: true } match
        && long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var step)
            ? step
            : null;

    [GeneratedRegex(@"^(\d{1,18})\.jsonl$")]
    private static partial Regex StepName();
}
