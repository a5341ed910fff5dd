using Orleans.Runtime.Messaging;
using VerlOrleans.Contracts.Models;

namespace VerlOrleans.Grains.Hosting;

/// <summary>
/// Grain calls across a cluster whose silos may die: a call that failed because its target's silo went away (or
/// was unreachable for a moment), or a generate call whose model was unloaded under it, is made again, and Orleans
/// places the grain on a live silo. Calls retried here are
/// idempotent or, like generation, write nothing until they return.
/// </summary>
public static class ClusterRetry
{
    /// <summary>How long a call keeps being retried before its failure stands (a silo is declared dead within seconds).</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(3);

    /// <summary>True for failures of the cluster rather than of the call: the target silo died, left, or did not answer.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException or TimeoutException or ModelUnloadedException => true,
        AggregateException { InnerExceptions.Count: 1 } a => IsTransient(a.InnerException!),
        _ => false,
    };

    /// <summary>
    /// Calls <paramref name="call"/> until it succeeds, fails for a reason of its own, or keeps failing transiently for
    /// longer than <paramref name="window"/>; waits 0.25 s, 0.5 s, ... up to 4 s between tries.
    /// </summary>
    public static async Task<T> CallAsync<T>(
        Func<Task<T>> call, TimeProvider clock, Action<Exception, int>? onRetry = null, TimeSpan? window = null,
        CancellationToken cancellationToken = default)
    {
        var started = clock.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested
                && clock.GetElapsedTime(started) < (window ?? DefaultWindow))
            {
                onRetry?.Invoke(e, attempt);
                await Task.Delay(Backoff(attempt), clock, cancellationToken);
            }
        }
    }

    /// <inheritdoc cref="CallAsync{T}"/>
    public static Task CallAsync(
        Func<Task> call, TimeProvider clock, Action<Exception, int>? onRetry = null, TimeSpan? window = null,
        CancellationToken cancellationToken = default) =>
        CallAsync(async () =>
        {
            await call();
            return true;
        }, clock, onRetry, window, cancellationToken);

    /// <summary>The wait before retry <paramref name="attempt"/> + 1.</summary>
    public static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(4000, 250 * (1 << Math.Min(attempt - 1, 4))));
}
