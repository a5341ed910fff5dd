using VerlOrleans.Checkpoints.Layouts;

namespace VerlOrleans.Checkpoints.Validation;

/// <summary>How bad an issue is.</summary>
public enum IssueSeverity
{
    /// <summary>Worth knowing; changes nothing (e.g. HSDP replica group chosen).</summary>
    Info,

    /// <summary>The merge works but the output may surprise (e.g. no generation_config.json).</summary>
    Warning,

    /// <summary>The checkpoint cannot be merged correctly.</summary>
    Error,
}

/// <summary>Overall verdict; the CLI's exit code follows it (0, 1, 2).</summary>
public enum ValidationStatus
{
    Valid,
    Invalid,

    /// <summary>A file could not be read at all (missing folder, corrupted zip, forbidden pickle content).</summary>
    Unreadable,
}

/// <summary>One finding, naming the file and state-dict key it concerns when there is one.</summary>
/// <param name="Severity">How bad it is.</param>
/// <param name="Code">A stable kebab-case identifier (<c>missing-rank</c>, <c>shape-mismatch</c>, ...).</param>
/// <param name="Message">What is wrong, for a person.</param>
/// <param name="File">The file at fault, when one is.</param>
/// <param name="Key">The state-dict key at fault, when one is.</param>
public sealed record ValidationIssue(IssueSeverity Severity, string Code, string Message, string? File = null, string? Key = null)
{
    public override string ToString() =>
        $"{Severity.ToString().ToLowerInvariant()} [{Code}] {Message}" + (Key is null ? string.Empty : $" (key '{Key}')") + (File is null ? string.Empty : $" in {File}");
}

/// <summary>How one output tensor is assembled from the shards, as validated.</summary>
/// <param name="Name">Hugging Face parameter name.</param>
/// <param name="DType">Source element type (safetensors spelling).</param>
/// <param name="Shape">Global shape.</param>
/// <param name="Layout">How the ranks hold it (<c>Shard(0) over 4 ranks</c>, <c>replicated plain tensor</c>, ...).</param>
/// <param name="NonFiniteCount">NaN/Inf elements found by the optional scan; null when not scanned.</param>
public sealed record TensorReport(string Name, string DType, IReadOnlyList<long> Shape, string Layout, long? NonFiniteCount = null);

/// <summary>
/// Everything validation found about one checkpoint folder, before any merge. A plain record of strings,
/// numbers and lists so a grain can persist or send it.
/// </summary>
/// <param name="Path">The folder validated.</param>
/// <param name="Kind">What the folder is.</param>
/// <param name="Status">Valid, Invalid (errors) or Unreadable (a file could not be parsed).</param>
/// <param name="WorldSize">W from the file names / fsdp_config.json, when known.</param>
/// <param name="FsdpVersion">FSDP_version from fsdp_config.json, when present.</param>
/// <param name="Mesh">The DTensor device mesh (<c>mesh [2, 2] (ddp, fsdp)</c>), when the shards have one.</param>
/// <param name="Issues">Every finding, errors first.</param>
/// <param name="Tensors">The tensors a merge would write, in state-dict order.</param>
public sealed record ValidationReport(
    string Path,
    CheckpointKind Kind,
    ValidationStatus Status,
    int? WorldSize,
    int? FsdpVersion,
    string? Mesh,
    IReadOnlyList<ValidationIssue> Issues,
    IReadOnlyList<TensorReport> Tensors)
{
    public bool IsValid => Status == ValidationStatus.Valid;

    public IEnumerable<ValidationIssue> Errors => Issues.Where(i => i.Severity == IssueSeverity.Error);
}
