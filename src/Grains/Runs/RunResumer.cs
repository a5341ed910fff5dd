using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Grains.Hosting;

namespace VerlOrleans.Grains.Runs;

/// <summary>
/// Keeps unfinished runs and sweeps running somewhere. A pass asks the catalog for them and touches each one: a run
/// still executing on a live silo ignores it, one whose silo is gone is activated on a live silo and resumes from its
/// results folder. Passes happen when this silo starts, when another silo leaves or dies (at once, and again shortly
/// after, once a stopping silo has handed its runs off), and every <see cref="GridOptions.RunSupervisionInterval"/>.
/// Every silo runs passes; resuming is idempotent.
/// </summary>
public sealed partial class RunResumer(
    IGrainFactory grains,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IOptions<GridOptions> options,
    TimeProvider clock,
    ILogger<RunResumer> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>After a silo leaves: a second pass this much later catches runs it was still handing off.</summary>
    public static readonly TimeSpan AfterLeaveRecheck = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<string> _requests = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private Task _loops = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RunResumer), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    private Task OnStartAsync(CancellationToken cancellation)
    {
        // Not awaited: the silo must not wait for storage reads of every run before it starts serving.
        _requests.Writer.TryWrite("this silo started");
        _loops = Task.WhenAll(Task.Run(PassesAsync, CancellationToken.None), Task.Run(WatchMembershipAsync, CancellationToken.None));
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellation)
    {
        await _stopping.CancelAsync();
        await _loops.WaitAsync(cancellation).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task PassesAsync()
    {
        using var periodic = new PeriodicTimer(options.Value.RunSupervisionInterval, clock);
        var ticks = Task.Run(async () =>
        {
            while (await periodic.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                _requests.Writer.TryWrite("periodic check");
            }
        });
        try
        {
            await foreach (var why in _requests.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                await ResumeAsync(why).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Silo is stopping.
        }

        await ticks.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task WatchMembershipAsync()
    {
        try
        {
            var previous = membership.CurrentSnapshot;
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(_stopping.Token).ConfigureAwait(false))
            {
                var left = snapshot.CreateUpdate(previous).Changes
                    .Where(m => m.SiloAddress != silo.SiloAddress && m.Status is SiloStatus.ShuttingDown or SiloStatus.Stopping or SiloStatus.Dead)
                    .ToList();
                previous = snapshot;
                if (left.Count == 0)
                {
                    continue;
                }

                var why = string.Join(", ", left.Select(m => $"{m.SiloAddress} {m.Status}"));
                LogSiloLeft(logger, why);
                _requests.Writer.TryWrite($"silo left: {why}");
                _ = Task.Delay(AfterLeaveRecheck, clock, _stopping.Token)
                    .ContinueWith(_ => _requests.Writer.TryWrite($"recheck after silo left: {why}"), TaskContinuationOptions.OnlyOnRanToCompletion);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Silo is stopping.
        }
    }

    private async Task ResumeAsync(string why)
    {
        try
        {
            var catalog = grains.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey);
            var runs = (await ClusterRetry.CallAsync(catalog.ListRunsAsync, clock, cancellationToken: _stopping.Token)).Where(r => !r.State.IsFinished()).ToList();
            foreach (var run in runs)
            {
                await ClusterRetry.CallAsync(grains.GetGrain<IEvaluationRunGrain>(run.RunId).ResumeAsync, clock, cancellationToken: _stopping.Token);
            }

            var sweeps = (await ClusterRetry.CallAsync(catalog.ListSweepsAsync, clock, cancellationToken: _stopping.Token)).Where(s => !s.Finished).ToList();
            foreach (var sweep in sweeps)
            {
                await ClusterRetry.CallAsync(grains.GetGrain<ISweepGrain>(sweep.SweepId).GetStatusAsync, clock, cancellationToken: _stopping.Token);
            }

            if (runs.Count + sweeps.Count > 0)
            {
                LogPass(logger, why, runs.Count, sweeps.Count);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException && !_stopping.IsCancellationRequested)
        {
            LogResumeFailed(logger, e, why);
        }
        catch (OperationCanceledException)
        {
            // Silo is stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silos left the cluster: {Silos}; resuming their runs here or elsewhere")]
    private static partial void LogSiloLeft(ILogger logger, string silos);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Resume pass ({Why}): {Runs} unfinished runs and {Sweeps} unfinished sweeps touched")]
    private static partial void LogPass(ILogger logger, string why, int runs, int sweeps);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not resume interrupted runs ({Why})")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception, string why);
}
