using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace VerlOrleans.Inference.Engine;

/// <summary>
/// Serves generation requests from any number of concurrent callers with continuous batching. One dedicated
/// thread owns the model runner (all tensor work happens there, helped on CPU by the row-block helpers of
/// <see cref="Models.ProductWorkers"/> it drives); callers only enqueue requests and get a
/// <see cref="Task"/> or an async stream back, so a grain turn never blocks. Each request may be cancelled
/// through its token: its slots are freed in the next step.
/// </summary>
public sealed class InferenceEngine : IAsyncDisposable
{
    private readonly ConcurrentQueue<EngineCommand> _inbox = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly TaskCompletionSource<RunnerInfo> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private long _nextRequestId;
    private volatile bool _stopping;
    private EngineMetrics _metrics = EngineMetrics.Starting;

    private InferenceEngine(Func<IModelRunner> loadRunner, EngineOptions options)
    {
        var loop = new EngineLoop(this, options);
        _thread = new Thread(() => loop.Run(loadRunner)) { IsBackground = true, Name = options.ThreadName };
    }

    /// <summary>Completes when the runner has loaded on the engine thread (faults with the load error).</summary>
    public Task<RunnerInfo> Ready => _ready.Task;

    /// <summary>The latest metrics snapshot.</summary>
    public EngineMetrics Metrics => Volatile.Read(ref _metrics);

    /// <summary>Starts the engine thread; <paramref name="loadRunner"/> runs on it.</summary>
    public static InferenceEngine Start(Func<IModelRunner> loadRunner, EngineOptions? options = null)
    {
        var engine = new InferenceEngine(loadRunner, options ?? new EngineOptions());
        engine._thread.Start();
        return engine;
    }

    /// <summary>Starts an engine over a Hugging Face model folder loaded with TorchSharp.</summary>
    public static InferenceEngine Start(string modelFolder, TorchRunnerOptions runnerOptions, EngineOptions? options = null) =>
        Start(() => TorchModelRunner.Load(modelFolder, runnerOptions), options);

    /// <summary>
    /// Queues a request. Sampling parameters are checked here (<see cref="ArgumentException"/>); the prompt is
    /// checked against the model on the engine thread (a faulted completion).
    /// </summary>
    public GenerationHandle Submit(GenerationRequest request, bool stream = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Sampling.Validate();
        ObjectDisposedException.ThrowIf(_stopping, this);
        var updates = stream ? Channel.CreateUnbounded<GenerationUpdate>(new UnboundedChannelOptions { SingleWriter = true }) : null;
        var state = new RequestState(Interlocked.Increment(ref _nextRequestId), request, updates, cancellationToken);
        Post(new EngineCommand.Submit(state));
        if (cancellationToken.CanBeCanceled)
        {
            state.Registration = cancellationToken.Register(() => Post(new EngineCommand.Cancel(state)));
        }

        return new GenerationHandle(state.Id, state.Completion.Task, updates?.Reader);
    }

    /// <summary>Generates and returns every sequence of the request.</summary>
    public Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default) =>
        Submit(request, stream: false, cancellationToken).Completion;

    /// <summary>Generates, yielding each step's updates as they happen.</summary>
    public async IAsyncEnumerable<GenerationUpdate> StreamAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var handle = Submit(request, stream: true, cancellationToken);
        await foreach (var update in handle.Updates(CancellationToken.None))
        {
            yield return update;
        }
    }

    /// <summary>Stops the engine thread; requests still running fail with <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _wake.Release();
        if (_thread.IsAlive)
        {
            await _stopped.Task.ConfigureAwait(false);
        }

        // A request that raced with shutdown past the loop's last look at the inbox.
        while (_inbox.TryDequeue(out var late))
        {
            late.Request.Fail(new ObjectDisposedException(nameof(InferenceEngine), "the inference engine stopped before this request finished"));
        }

        _wake.Dispose();
    }

    internal bool Stopping => _stopping;

    internal void Post(EngineCommand command)
    {
        _inbox.Enqueue(command);
        try
        {
            _wake.Release();
        }
        catch (ObjectDisposedException)
        {
            // The engine has stopped; the loop already failed every request it knew of.
        }
    }

    internal bool TryTake(out EngineCommand? command) => _inbox.TryDequeue(out command);

    internal void WaitForWork() => _wake.Wait();

    internal void Publish(EngineMetrics metrics) => Volatile.Write(ref _metrics, metrics);

    internal void SetReady(RunnerInfo info) => _ready.TrySetResult(info);

    internal void SetLoadFailed(Exception error) => _ready.TrySetException(error);

    internal void SetStopped() => _stopped.TrySetResult();
}

/// <summary>What callers ask of the engine thread.</summary>
internal abstract record EngineCommand(RequestState Request)
{
    public sealed record Submit(RequestState Request) : EngineCommand(Request);

    public sealed record Cancel(RequestState Request) : EngineCommand(Request);
}
