namespace VerlOrleans.Contracts.Runs;

/// <summary>An evaluation run as the dashboard, the CLI and its sweep see it.</summary>
[GenerateSerializer, Immutable]
public sealed record RunStatus
{
    [Id(0)] public required string RunId { get; init; }
    [Id(1)] public RunSpec? Spec { get; init; }
    [Id(2)] public RunState State { get; init; }
    [Id(3)] public RunProgress Progress { get; init; } = RunProgress.None;
    /// <summary>verl global step of the checkpoint, when known.</summary>
    [Id(4)] public long? Step { get; init; }
    [Id(5)] public string? ModelKey { get; init; }
    /// <summary>Folder with results.jsonl/.parquet, manifest.json and metrics.json.</summary>
    [Id(6)] public string? ResultsDirectory { get; init; }
    /// <summary>verl-named metrics once completed (e.g. val-core/openai/gsm8k/reward/mean@1).</summary>
    [Id(7)] public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    [Id(8)] public string? Error { get; init; }
    [Id(9)] public string? SweepId { get; init; }
    [Id(10)] public DateTimeOffset CreatedAt { get; init; }
    [Id(11)] public DateTimeOffset? StartedAt { get; init; }
    [Id(12)] public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>The silo executing the run (Orleans silo address), set each time an activation starts executing it.</summary>
    [Id(13)] public string? Silo { get; init; }
    /// <summary>Times the run was resumed after its silo stopped or died (or the whole grid restarted).</summary>
    [Id(14)] public int Resumes { get; init; }
    /// <summary>The finished run whose results answered this one (the results cache), when it was answered so.</summary>
    [Id(15)] public string? ReusedFrom { get; init; }
    /// <summary>An imported run: re-scored samples whose score differs from verl's stored one.</summary>
    [Id(16)] public long? ImportDisagreements { get; init; }
    /// <summary>An imported run: lines or rows that could not be read (import_report.json lists them).</summary>
    [Id(17)] public long? ImportRejected { get; init; }
}
