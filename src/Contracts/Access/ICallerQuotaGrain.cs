namespace VerlOrleans.Contracts.Access;

/// <summary>
/// How many runs and sweeps one caller (an API token's name) has going at once, cluster-wide: one activation per caller
/// admits a new one only under the limit (<c>VerlOrleans:Limits:MaxActiveJobsPerCaller</c>), so two requests at the same
/// moment cannot both slip under it. A sweep counts as one job however many checkpoints it evaluates.
/// </summary>
public interface ICallerQuotaGrain : IGrainWithStringKey
{
    /// <summary>
    /// Admits <paramref name="jobId"/> (a run or sweep id) or throws <see cref="Inputs.RequestRefusedException"/> (429)
    /// naming the caller's active jobs and the limit. Jobs that have finished since are let go first.
    /// </summary>
    Task AdmitAsync(string jobId, JobKind kind);

    /// <summary>Gives back <paramref name="jobId"/>'s place (its start was refused after admission).</summary>
    Task ReleaseAsync(string jobId);

    /// <summary>The caller's jobs still running (finished ones let go).</summary>
    Task<IReadOnlyList<string>> ListActiveAsync();
}

/// <summary>What a job id names.</summary>
[GenerateSerializer]
public enum JobKind
{
    Run,
    Sweep,
}
