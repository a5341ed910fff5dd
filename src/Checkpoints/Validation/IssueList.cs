namespace VerlOrleans.Checkpoints.Validation;

/// <summary>Collects findings while validating.</summary>
internal sealed class IssueList
{
    private readonly List<ValidationIssue> _issues = [];

    public bool HasErrors => _issues.Any(i => i.Severity == IssueSeverity.Error);

    public int ErrorCount => _issues.Count(i => i.Severity == IssueSeverity.Error);

    public bool Unreadable { get; private set; }

    public void Error(string code, string message, string? file = null, string? key = null) =>
        _issues.Add(new ValidationIssue(IssueSeverity.Error, code, message, file, key));

    public void Warning(string code, string message, string? file = null, string? key = null) =>
        _issues.Add(new ValidationIssue(IssueSeverity.Warning, code, message, file, key));

    public void Info(string code, string message, string? file = null, string? key = null) =>
        _issues.Add(new ValidationIssue(IssueSeverity.Info, code, message, file, key));

    /// <summary>A file that could not be parsed: the report's status becomes Unreadable.</summary>
    public void Unparseable(string message, string? file)
    {
        Unreadable = true;
        Error("unreadable-file", message, file);
    }

    public ValidationStatus Status => Unreadable ? ValidationStatus.Unreadable : HasErrors ? ValidationStatus.Invalid : ValidationStatus.Valid;

    /// <summary>Errors first, then warnings, then notes; otherwise in the order found.</summary>
    public IReadOnlyList<ValidationIssue> Sorted() => _issues.OrderByDescending(i => i.Severity).ToList();
}
