namespace VerlOrleans.Contracts.Runs;

/// <summary>Life cycle of an evaluation run.</summary>
public enum RunState
{
    Pending,
    Validating,
    Merging,
    Loading,
    Running,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>Helpers over <see cref="RunState"/>.</summary>
public static class RunStates
{
    /// <summary>Completed, failed or cancelled: nothing more will happen.</summary>
    public static bool IsFinished(this RunState state) => state is RunState.Completed or RunState.Failed or RunState.Cancelled;
}
