using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VerlOrleans.Contracts.Cluster;
using VerlOrleans.Grains.Hosting;
using VerlOrleans.Grains.Models;

namespace VerlOrleans.Grains.Cluster;

/// <summary>
/// Tells the cluster directory about this silo (devices, model budget) once it is active, then every
/// <see cref="GridOptions.SiloReportInterval"/>, and keeps this silo's copy of the cluster overview for placement.
/// </summary>
public sealed partial class SiloReporter(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    LocalSiloInventory inventory,
    SiloModelResidency residency,
    ClusterDeviceView view,
    IOptions<GridOptions> options,
    TimeProvider clock,
    ILogger<SiloReporter> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloReporter), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    private async Task OnStartAsync(CancellationToken cancellation)
    {
        // The first report happens before the silo counts as started, so the overview never shows a silo without devices.
        await Task.Run(ReportOnceAsync, cancellation);
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    private async Task OnStopAsync(CancellationToken cancellation)
    {
        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellation).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(options.Value.SiloReportInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                await ReportOnceAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // Silo is stopping.
        }
    }

    private async Task ReportOnceAsync()
    {
        try
        {
            var report = new SiloReport(
                silo.SiloAddress.ToParsableString(),
                Environment.MachineName,
                inventory.StartedAt,
                clock.GetUtcNow(),
                inventory.Devices().Select(d => d with { ModelBudgetFreeBytes = residency.Free(d), ModelBudgetBytes = residency.Capacity(d) }).ToList(),
                inventory.Torch);
            var directory = grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.SingletonKey);
            await directory.ReportSiloAsync(report);
            view.Update(await directory.GetOverviewAsync());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A missed report is healed by the next one; the silo keeps serving.
            LogReportFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report this silo to the cluster directory")]
    private static partial void LogReportFailed(ILogger logger, Exception exception);
}
