using System.Threading.Channels;

namespace VerlOrleans.Evaluation.Rewards.Python;

/// <summary>
/// A verl <c>custom_reward_function</c> scored by a pool of long-lived Python worker processes (reward_worker.py,
/// shipped in this assembly). Requests queue up; each worker takes what is waiting (its share, at most
/// <see cref="PythonRewardOptions.MaxBatchSize"/>) as one message, so samples travel in batches when the pipeline
/// produces them faster than Python scores them, and alone, without waiting, when it does not.
/// <para>
/// Failures stay with their sample: a raise gives that sample an error naming the exception with its traceback; a
/// hang past <see cref="PythonRewardOptions.Timeout"/> or a crash (os._exit, a segfault) kills the worker, gives the
/// sample an error with the worker's stderr tail (for a hang, its stack), and a fresh worker scores the rest of the
/// batch. verl would stop the whole validation instead; here the caller records the sample with score 0 and the
/// error. Only a reward that cannot run at all (the file does not load, the interpreter is missing, a replacement
/// worker cannot start) is an exception, a <see cref="RewardConfigurationException"/>.
/// </para>
/// </summary>
public sealed class PythonRewardPool : IAsyncRewardFunction, IAsyncDisposable
{
    private const string ScriptResource = "VerlOrleans.Evaluation.Rewards.Python.reward_worker.py";

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly CancellationTokenSource _stopping = new();
    private readonly PythonRewardWorker?[] _workers;
    private readonly WorkerLaunch _launch;
    private readonly PythonRewardOptions _options;
    private readonly string _root;
    private readonly Task[] _loops;
    private int _replaced;
    private long _messages;
    private int _disposed;

    private PythonRewardPool(PythonRewardWorker[] workers, WorkerLaunch launch, PythonRewardOptions options, string root)
    {
        _workers = workers;
        _launch = launch;
        _options = options;
        _root = root;
        PythonVersion = workers[0].PythonVersion;
        _loops = [.. Enumerable.Range(0, workers.Length).Select(slot => Task.Run(() => LoopAsync(slot)))];
    }

    public CustomRewardFunction Function => _launch.Function;

    /// <summary>The interpreter running the workers.</summary>
    public string Interpreter => _launch.Interpreter;

    public string PythonVersion { get; }

    /// <summary>Workers started to replace one that hung or died.</summary>
    public int WorkersReplaced => Volatile.Read(ref _replaced);

    /// <summary>Batch messages sent to workers so far (samples scored / this = the mean batch size).</summary>
    public long MessagesSent => Interlocked.Read(ref _messages);

    /// <summary>
    /// Starts the workers, each loading <paramref name="function"/>'s file: a file that does not load fails here, with
    /// Python's error, before anything is scored.
    /// </summary>
    public static async Task<PythonRewardPool> StartAsync(CustomRewardFunction function, PythonRewardOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PythonRewardOptions();
        options.Validate();
        function.Validate();
        var interpreter = options.ResolveInterpreter();
        var root = Directory.CreateTempSubdirectory("verlorleans-reward-").FullName;
        var script = Path.Combine(root, "reward_worker.py");
        await using (var resource = typeof(PythonRewardPool).Assembly.GetManifestResourceStream(ScriptResource)
            ?? throw new InvalidOperationException($"{ScriptResource} is not embedded in {typeof(PythonRewardPool).Assembly.GetName().Name}"))
        await using (var file = File.Create(script))
        {
            await resource.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
        }

        var launch = new WorkerLaunch(interpreter, script, root, function, [.. options.PythonPath.Select(Path.GetFullPath)]);
        var starts = Enumerable.Range(0, options.Workers).Select(slot => PythonRewardWorker.StartAsync(launch, slot, options, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await start.Result.DisposeAsync().ConfigureAwait(false);
            }

            TryDeleteRoot(root);
            throw starts.Select(s => s.Exception?.InnerException).FirstOrDefault(e => e is RewardConfigurationException)
                ?? starts.Select(s => s.Exception?.InnerException).First(e => e is not null)!;
        }

        return new PythonRewardPool([.. starts.Select(s => s.Result)], launch, options, root);
    }

    /// <summary>Queues one sample; its outcome arrives when a worker has scored it.</summary>
    public Task<RewardOutcome> ScoreAsync(RewardRequest request, CancellationToken cancellationToken = default)
    {
        var pending = new Pending(request, new TaskCompletionSource<RewardOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(pending), this);
        return cancellationToken.CanBeCanceled ? pending.Completion.Task.WaitAsync(cancellationToken) : pending.Completion.Task;
    }

    /// <summary>Scores every request (outcomes in the same order).</summary>
    public Task<RewardOutcome[]> ScoreAllAsync(IEnumerable<RewardRequest> requests, CancellationToken cancellationToken = default) =>
        Task.WhenAll(requests.Select(r => ScoreAsync(r, cancellationToken)).ToList());

    /// <summary>Stops every worker (killing any still scoring) and removes their folders; queued samples are cancelled.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var worker in _workers)
        {
            worker?.Kill();
        }

        await Task.WhenAll(_loops).ConfigureAwait(false);
        while (_queue.Reader.TryRead(out var left))
        {
            left.Completion.TrySetCanceled();
        }

        foreach (var worker in _workers)
        {
            if (worker is not null)
            {
                await worker.DisposeAsync().ConfigureAwait(false);
            }
        }

        _stopping.Dispose();
        TryDeleteRoot(_root);
    }

    private async Task LoopAsync(int slot)
    {
        var batch = new List<Pending>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                // Take this worker's share of what is waiting, so a burst spreads over the pool.
                var share = Math.Clamp((_queue.Reader.Count + _workers.Length - 1) / _workers.Length, 1, _options.MaxBatchSize);
                batch.Clear();
                while (batch.Count < share && _queue.Reader.TryRead(out var pending))
                {
                    if (!pending.Completion.Task.IsCompleted)
                    {
                        batch.Add(pending);
                    }
                }

                if (batch.Count > 0)
                {
                    await ScoreBatchAsync(slot, batch).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Disposed.
        }
        finally
        {
            foreach (var pending in batch)
            {
                pending.Completion.TrySetCanceled();
            }
        }
    }

    private async Task ScoreBatchAsync(int slot, List<Pending> batch)
    {
        var requests = batch.Select(p => p.Request).ToList();
        var next = 0;
        while (next < requests.Count)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            var worker = _workers[slot];
            if (worker is null || worker.HasExited)
            {
                // A worker that died between batches (killed from outside) is replaced without blaming a sample.
                if (worker is not null)
                {
                    await worker.DisposeAsync().ConfigureAwait(false);
                }

                try
                {
                    worker = await PythonRewardWorker.StartAsync(_launch, slot, _options, _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _workers[slot] = null;
                    var failure = e as RewardConfigurationException ?? new RewardConfigurationException($"cannot start a replacement Python reward worker: {e.Message}");
                    for (var i = next; i < batch.Count; i++)
                    {
                        batch[i].Completion.TrySetException(failure);
                    }

                    return;
                }

                _workers[slot] = worker;
                Interlocked.Increment(ref _replaced);
                if (_stopping.IsCancellationRequested)
                {
                    worker.Kill();
                    return;
                }
            }

            Interlocked.Increment(ref _messages);
            var end = await worker.ScoreAsync(requests, next, (i, outcome) => batch[i].Completion.TrySetResult(outcome)).ConfigureAwait(false);
            if (end.Failure is null)
            {
                return;
            }

            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            batch[end.Index].Completion.TrySetResult(RewardOutcome.Failure(end.Failure));
            await worker.DisposeAsync().ConfigureAwait(false);
            _workers[slot] = null;
            next = end.Index + 1;
        }
    }

    private static void TryDeleteRoot(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left in the temp folder; nothing reads it again.
        }
    }

    private sealed record Pending(RewardRequest Request, TaskCompletionSource<RewardOutcome> Completion);
}
