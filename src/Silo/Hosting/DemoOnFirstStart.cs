using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using VerlOrleans.Contracts.Demo;
using VerlOrleans.Grains.Hosting;

namespace VerlOrleans.Silo.Hosting;

/// <summary>
/// On the embedded default (<c>VerlOrleans:StartDemoOnFirstRun</c>, set in appsettings.Development.json, which
/// <c>dotnet run</c> uses), a grid that has never seen a run starts the demo sweep as soon as the silo serves, so the
/// first page a newcomer opens shows real work. Deployments leave the setting off.
/// </summary>
public sealed partial class DemoOnFirstStart(
    IGrainFactory grains,
    IOptions<GridOptions> options,
    IHostApplicationLifetime lifetime,
    IServer server,
    ILogger<DemoOnFirstStart> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.StartDemoOnFirstRun)
        {
            return;
        }

        // The silo and the web server are up once the application has started.
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(started.SetResult))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task;
        }

        try
        {
            if (await grains.GetGrain<IDemoGrain>(IDemoGrain.SingletonKey).StartOnFirstRunAsync() is { } sweepId)
            {
                var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "";
                LogStarted(logger, sweepId, $"{address}/sweeps/{sweepId}");
            }
            else
            {
                LogNotFirst(logger);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "First start on this data directory: the demo sweep {SweepId} is running, watch it at {Url} (set VerlOrleans:StartDemoOnFirstRun to false to skip)")]
    private static partial void LogStarted(ILogger logger, string sweepId, string url);

    [LoggerMessage(Level = LogLevel.Information, Message = "Not the first start on this data directory: no demo sweep (`verlorleans demo` starts one)")]
    private static partial void LogNotFirst(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The demo sweep could not start")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
