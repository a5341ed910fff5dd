namespace VerlOrleans.Contracts.Access;

/// <summary>Starts a run or sweep under its caller's limit, the same way from the API and the dashboard.</summary>
public static class CallerJobs
{
    /// <summary>
    /// Admits <paramref name="jobId"/> for <paramref name="caller"/> (or throws the 429 refusal), then starts it; a start
    /// that throws gives the place back.
    /// </summary>
    public static async Task<T> StartAsync<T>(IGrainFactory grains, string caller, string jobId, JobKind kind, Func<Task<T>> start)
    {
        var quota = grains.GetGrain<ICallerQuotaGrain>(caller);
        await quota.AdmitAsync(jobId, kind);
        try
        {
            return await start();
        }
        catch
        {
            await quota.ReleaseAsync(jobId);
            throw;
        }
    }
}
