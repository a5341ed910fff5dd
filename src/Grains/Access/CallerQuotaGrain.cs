using Microsoft.Extensions.Options;
using VerlOrleans.Contracts.Access;
using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Grains.Hosting;

namespace VerlOrleans.Grains.Access;

/// <summary>
/// One caller's active runs and sweeps, persisted so a restarted grid keeps counting them. Finished jobs are found by
/// asking their grains at admission time rather than by being told, so a job that ends on another silo, or is deleted,
/// never holds a place.
/// </summary>
public sealed class CallerQuotaGrain(
    [PersistentState("caller-quota", GridSiloBuilderExtensions.StorageName)] IPersistentState<CallerQuotaState> state,
    IOptions<GridOptions> options) : Grain, ICallerQuotaGrain
{
    public async Task AdmitAsync(string jobId, JobKind kind)
    {
        if (state.State.Jobs.Any(j => j.Id == jobId))
        {
            return;
        }

        var active = await ForgetFinishedAsync();
        var limit = options.Value.Limits.MaxActiveJobsPerCaller;
        if (active.Count >= limit)
        {
            throw new RequestRefusedException(
                [new FieldError("caller", $"'{this.GetPrimaryKeyString()}' already has {active.Count} runs or sweeps going ({string.Join(", ", active.Select(j => j.Id))}); at most {limit} at once (VerlOrleans:Limits:MaxActiveJobsPerCaller): wait for one to finish or cancel one")],
                status: 429);
        }

        state.State.Jobs.Add(new CallerJob(jobId, kind));
        await state.WriteStateAsync();
    }

    public async Task ReleaseAsync(string jobId)
    {
        if (state.State.Jobs.RemoveAll(j => j.Id == jobId) > 0)
        {
            await state.WriteStateAsync();
        }
    }

    public async Task<IReadOnlyList<string>> ListActiveAsync() => (await ForgetFinishedAsync()).Select(j => j.Id).ToList();

    private async Task<IReadOnlyList<CallerJob>> ForgetFinishedAsync()
    {
        var finished = new List<CallerJob>();
        foreach (var job in state.State.Jobs)
        {
            if (await IsFinishedAsync(job))
            {
                finished.Add(job);
            }
        }

        if (finished.Count > 0)
        {
            state.State.Jobs.RemoveAll(finished.Contains);
            await state.WriteStateAsync();
        }

        return state.State.Jobs;
    }

    // A job whose grain has no spec was refused, deleted, or never started: it holds no place either.
    private async Task<bool> IsFinishedAsync(CallerJob job) => job.Kind == JobKind.Run
        ? await GrainFactory.GetGrain<IEvaluationRunGrain>(job.Id).GetStatusAsync() is var run && (run.Spec is null || run.State.IsFinished())
        : await GrainFactory.GetGrain<ISweepGrain>(job.Id).GetStatusAsync() is var sweep && (sweep.Spec is null || sweep.IsFinished);
}

/// <summary>The persisted jobs of one caller.</summary>
[GenerateSerializer]
public sealed class CallerQuotaState
{
    [Id(0)] public List<CallerJob> Jobs { get; set; } = [];
}

/// <summary>A run or sweep a caller started.</summary>
[GenerateSerializer, Immutable]
public sealed record CallerJob([property: Id(0)] string Id, [property: Id(1)] JobKind Kind);
