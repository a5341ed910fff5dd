namespace VerlOrleans.Evaluation.Rewards.Code;

/// <summary>What one sandboxed program did: its exit code, its stdout (the first MiB), the end of its stderr, and whether it was killed at its wall limit.</summary>
public sealed record SandboxRun(int ExitCode, string Stdout, string StderrTail, bool TimedOut, TimeSpan Elapsed);
