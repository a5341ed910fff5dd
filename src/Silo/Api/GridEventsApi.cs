using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace VerlOrleans.Silo.Api;

/// <summary>
/// Live status as Server-Sent Events: <c>GET /runs/{runId}/events</c> and <c>GET /sweeps/{sweepId}/events</c> send the
/// current status at once, then every status the grain pushes to an observer (as the dashboard's live pages receive
/// them), each as one <c>data:</c> line of the API's JSON, until a finished status, which is the last event. A comment
/// heartbeat keeps proxies from closing a quiet stream. An unknown id is a 404 before the stream starts.
/// </summary>
public static partial class GridEventsApi
{
    /// <summary>A comment line at least this often: proxies and load balancers close connections idle for a minute or so.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    /// <summary>Observer subscriptions expire after two minutes on the grain; renewing also re-reads the status.</summary>
    public static readonly TimeSpan ResubscribeInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the status is read besides the pushes: a push can be lost (a dropped message, a grain moving to another
    /// silo), and the finished status must still end the stream.
    /// </summary>
    public static readonly TimeSpan SafetyPollInterval = TimeSpan.FromSeconds(5);

    public static RouteGroupBuilder MapGridEvents(this RouteGroupBuilder api)
    {
        api.MapGet("/runs/{runId}/events", async (string runId, IGrainFactory grains, IOptions<HttpJsonOptions> json, ILoggerFactory loggers) =>
        {
            if (!GridIds.IsValid(runId) || (await grains.GetGrain<IEvaluationRunGrain>(runId).GetStatusAsync()).Spec is null)
            {
                return Unknown("run", runId);
            }

            var run = grains.GetGrain<IEvaluationRunGrain>(runId);
            return new EventStream<RunStatus, IRunObserver>(
                grains, json.Value.SerializerOptions, loggers.CreateLogger(typeof(GridEventsApi)), $"run {runId}",
                deliver => new RunStatusCallback(deliver), run.SubscribeAsync, run.UnsubscribeAsync, run.GetStatusAsync, s => s.State.IsFinished());
        }).WithName("RunEvents").WithSummary("The run's status as Server-Sent Events, pushed as it changes, until it finishes.");

        api.MapGet("/sweeps/{sweepId}/events", async (string sweepId, IGrainFactory grains, IOptions<HttpJsonOptions> json, ILoggerFactory loggers) =>
        {
            if (!GridIds.IsValid(sweepId) || (await grains.GetGrain<ISweepGrain>(sweepId).GetStatusAsync()).Spec is null)
            {
                return Unknown("sweep", sweepId);
            }

            var sweep = grains.GetGrain<ISweepGrain>(sweepId);
            return new EventStream<SweepStatus, ISweepObserver>(
                grains, json.Value.SerializerOptions, loggers.CreateLogger(typeof(GridEventsApi)), $"sweep {sweepId}",
                deliver => new SweepStatusCallback(deliver), sweep.SubscribeAsync, sweep.UnsubscribeAsync, sweep.GetStatusAsync, s => s.IsFinished);
        }).WithName("SweepEvents").WithSummary("The sweep's status (the comparison table) as Server-Sent Events until every run finished.");

        return api;
    }

    private static IResult Unknown(string kind, string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No such {kind}", detail: $"No {kind} '{id}' in this grid.");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Events of {Target}: status read failed; the next poll tries again")]
    private static partial void LogPollFailed(ILogger logger, Exception exception, string target);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Events of {Target}: unsubscribed, {Why}")]
    private static partial void LogClosed(ILogger logger, string target, string why);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Events of {Target}: unsubscribing failed; the subscription expires on its own")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception, string target);

    /// <summary>One client's stream: its own observer, subscribed for exactly as long as the response lasts.</summary>
    private sealed class EventStream<TStatus, TObserver>(
        IGrainFactory grains,
        JsonSerializerOptions json,
        ILogger logger,
        string target,
        Func<Action<TStatus>, TObserver> createObserver,
        Func<TObserver, Task> subscribe,
        Func<TObserver, Task> unsubscribe,
        Func<Task<TStatus>> read,
        Func<TStatus, bool> isFinished) : IResult
        where TStatus : class
        where TObserver : class, IGrainObserver
    {
        private static readonly byte[] Heartbeat = Encoding.UTF8.GetBytes(": keep-alive\n\n");

        // Each status is whole, so only the newest unsent one matters: a slow client skips intermediate ones, never the last.
        private readonly Channel<TStatus> _latest = Channel.CreateBounded<TStatus>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        private readonly Lock _gate = new();
        private bool _finished;

        public async Task ExecuteAsync(HttpContext context)
        {
            var aborted = context.RequestAborted;
            var observer = createObserver(Offer);
            var reference = grains.CreateObjectReference<TObserver>(observer);
            try
            {
                // Subscribe before reading, so that no change between the two is missed.
                await subscribe(reference);
                Offer(await read());

                await ServerSentEvents.StartAsync(context, aborted);
                await PumpAsync(context.Response, reference, aborted);
            }
            catch (Exception e) when (aborted.IsCancellationRequested && e is OperationCanceledException or IOException)
            {
                // The client went away: nothing to answer, only to clean up.
            }
            finally
            {
                await UnsubscribeQuietlyAsync(reference);
                GC.KeepAlive(observer);
                LogClosed(logger, target, aborted.IsCancellationRequested ? "the client left" : "the stream ended");
            }
        }

        /// <summary>
        /// Keeps the newest status for the client, except that nothing replaces a finished one: a poll answered just
        /// before the push of the end could otherwise arrive after it and hide it until the next poll.
        /// </summary>
        private void Offer(TStatus status)
        {
            lock (_gate)
            {
                if (!_finished)
                {
                    _finished = isFinished(status);
                    _latest.Writer.TryWrite(status);
                }
            }
        }

        private async Task PumpAsync(HttpResponse response, TObserver reference, CancellationToken aborted)
        {
            string? lastSent = null;
            var now = DateTime.UtcNow;
            var (nextHeartbeat, nextPoll, nextRenewal) = (now + HeartbeatInterval, now + SafetyPollInterval, now + ResubscribeInterval);
            while (true)
            {
                while (_latest.Reader.TryRead(out var status))
                {
                    // Polls and renewals re-read an unchanged status: send only what the client has not seen.
                    var data = JsonSerializer.Serialize(status, json);
                    if (data != lastSent)
                    {
                        await response.WriteAsync($"data: {data}\n\n", aborted);
                        await response.Body.FlushAsync(aborted);
                        lastSent = data;
                        nextHeartbeat = DateTime.UtcNow + HeartbeatInterval;
                    }

                    if (isFinished(status))
                    {
                        return;
                    }
                }

                var wait = Min(nextHeartbeat, nextPoll, nextRenewal) - DateTime.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                    timeout.CancelAfter(wait);
                    try
                    {
                        await _latest.Reader.WaitToReadAsync(timeout.Token);
                        continue;
                    }
                    catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                    {
                        // A timer is due.
                    }
                }

                now = DateTime.UtcNow;
                if (now >= nextHeartbeat)
                {
                    await response.Body.WriteAsync(Heartbeat, aborted);
                    await response.Body.FlushAsync(aborted);
                    nextHeartbeat = now + HeartbeatInterval;
                }

                if (now >= nextPoll || now >= nextRenewal)
                {
                    await RefreshAsync(reference, renew: now >= nextRenewal);
                    nextPoll = now + SafetyPollInterval;
                    nextRenewal = now >= nextRenewal ? now + ResubscribeInterval : nextRenewal;
                }
            }
        }

        private async Task RefreshAsync(TObserver reference, bool renew)
        {
            try
            {
                if (renew)
                {
                    await subscribe(reference);
                }

                Offer(await read());
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                // The grain may be moving to another silo; the client keeps what it last got.
                LogPollFailed(logger, e, target);
            }
        }

        private async Task UnsubscribeQuietlyAsync(TObserver reference)
        {
            try
            {
                await unsubscribe(reference);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException or ObjectDisposedException)
            {
                LogUnsubscribeFailed(logger, e, target);
            }
            finally
            {
                grains.DeleteObjectReference<TObserver>(reference);
            }
        }

        private static DateTime Min(DateTime a, DateTime b, DateTime c) => new(Math.Min(a.Ticks, Math.Min(b.Ticks, c.Ticks)), DateTimeKind.Utc);
    }

}
