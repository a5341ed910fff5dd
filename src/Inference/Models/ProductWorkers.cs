using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace VerlOrleans.Inference.Models;

/// <summary>
/// Dedicated helper threads that run row blocks of small-batch CPU products next to the calling thread.
/// libtorch runs a matrix-vector product on one thread; the ThreadPool's hand-off (Parallel.For) cost more than
/// splitting saved (measured 16 vs 18 GB/s single-threaded), while helpers that spin briefly for the next block
/// reached 32 GB/s on 2 cores. A helper spins up to <see cref="SpinBudget"/> after its last block (the gaps between
/// a decode step's products are shorter), then sleeps until woken. On an oversubscribed machine a helper may not
/// be running when its block is posted: the caller then takes the block back and runs it itself; when that happens
/// for many recent blocks the cores are contended (measured: 5 tok/s split against ~7 unsplit at load average 8),
/// and <see cref="ShouldSplit"/> turns splitting off for a while. A take-back from a helper that was asleep (idle
/// past its spin budget, or not started yet) says nothing about contention and is not counted: counting those
/// turned splitting off for the first ~40 decode steps after every pause. Products are plain in-place tensor calls, so the
/// helpers create no tensors (TorchSharp dispose scopes are per thread).
/// </summary>
internal sealed class ProductWorkers
{
    private static readonly TimeSpan SpinBudget = TimeSpan.FromMilliseconds(1);

    // Contention detection: more than TakeBackLimit take-backs in a window of Window calls stops splitting for
    // BackOffCalls calls (about 5 decode steps of a 24-layer model), after which splitting is tried again: a short
    // hiccup (a GC, a JIT thread) costs a few unsplit steps, while sustained contention keeps re-triggering it.
    private const int Window = 64, TakeBackLimit = 16, BackOffCalls = 512;
    private static readonly ConcurrentDictionary<int, ProductWorkers> ByParallelism = new();

    private readonly Helper[] _helpers;
    private readonly Lock _gate = new();
    private long _calls;
    private long _backOffUntil;
    private int _windowCalls;
    private int _windowTakeBacks;

    private ProductWorkers(int parallelism)
    {
        _helpers = Enumerable.Range(1, parallelism - 1).Select(i => new Helper($"verlorleans-product-{i}")).ToArray();
    }

    /// <summary>Threads a split product runs on, the caller included.</summary>
    public int Parallelism => _helpers.Length + 1;

    /// <summary>False while the cores look contended: callers should run their product unsplit.</summary>
    public bool ShouldSplit => _helpers.Length > 0 && Interlocked.Read(ref _calls) >= Interlocked.Read(ref _backOffUntil);

    /// <summary>The process-wide team for <paramref name="parallelism"/> threads (helpers start on first use).</summary>
    public static ProductWorkers For(int parallelism) => ByParallelism.GetOrAdd(Math.Max(1, parallelism), p => new ProductWorkers(p));

    /// <summary>
    /// Runs <paramref name="part"/>(0 .. Parallelism-1), part 0 on the caller; returns when all are done. If another
    /// thread (another engine) is using the team, the caller runs every part itself instead of waiting.
    /// </summary>
    public void Run(Action<int> part)
    {
        if (_helpers.Length == 0 || !_gate.TryEnter())
        {
            for (var i = 0; i < Parallelism; i++)
            {
                part(i);
            }

            return;
        }

        try
        {
            for (var i = 0; i < _helpers.Length; i++)
            {
                var index = i + 1;
                _helpers[i].Post(() => part(index));
            }

            // Every posted block is collected before anything is rethrown, so no helper is left mid-block.
            Exception? failure = null;
            try
            {
                part(0);
            }
            catch (Exception e)
            {
                failure = e;
            }

            var takenBack = false;
            foreach (var helper in _helpers)
            {
                try
                {
                    takenBack |= helper.TakeBackOrWait() && !helper.WasAsleepAtPost;
                }
                catch (Exception e)
                {
                    failure ??= e;
                }
            }

            Account(takenBack);
            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    private void Account(bool takenBack)
    {
        var calls = Interlocked.Increment(ref _calls);
        _windowTakeBacks += takenBack ? 1 : 0;
        if (++_windowCalls < Window)
        {
            return;
        }

        if (_windowTakeBacks > TakeBackLimit)
        {
            Interlocked.Exchange(ref _backOffUntil, calls + BackOffCalls);
        }

        _windowCalls = 0;
        _windowTakeBacks = 0;
    }

    private sealed class Helper
    {
        private const int Idle = 0, Posted = 1, Running = 2, Done = 3;

        private readonly ManualResetEventSlim _wake = new(false, spinCount: 1);
        private Action? _job;
        private Exception? _error;
        private int _state;
        private volatile bool _asleep = true;                // until its thread first runs

        public Helper(string name)
        {
            new Thread(Loop) { IsBackground = true, Name = name }.Start();
        }

        /// <summary>Whether the helper was asleep (or not started) when the last block was posted.</summary>
        public bool WasAsleepAtPost { get; private set; }

        public void Post(Action job)
        {
            WasAsleepAtPost = _asleep;
            _job = job;
            _error = null;
            Volatile.Write(ref _state, Posted);
            _wake.Set();
        }

        /// <summary>Runs the posted block here if the helper has not started it (returns true), else waits for it.</summary>
        public bool TakeBackOrWait()
        {
            if (Interlocked.CompareExchange(ref _state, Idle, Posted) == Posted)
            {
                var job = _job!;
                _job = null;
                job();
                return true;
            }

            var spinner = new SpinWait();
            while (Volatile.Read(ref _state) != Done)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            Volatile.Write(ref _state, Idle);
            if (_error is { } error)
            {
                throw new AggregateException("a row block of a split product failed", error);
            }

            return false;
        }

        private void Loop()
        {
            _asleep = false;
            while (true)
            {
                var idleSince = Stopwatch.GetTimestamp();
                while (Interlocked.CompareExchange(ref _state, Running, Posted) != Posted)
                {
                    if (Stopwatch.GetElapsedTime(idleSince) < SpinBudget)
                    {
                        Thread.SpinWait(20);
                        continue;
                    }

                    _asleep = true;
                    _wake.Wait();
                    _wake.Reset();
                    _asleep = false;
                }

                try
                {
                    _job!();
                }
                catch (Exception e)
                {
                    _error = e;
                }

                _job = null;
                Volatile.Write(ref _state, Done);
            }
        }
    }
}
