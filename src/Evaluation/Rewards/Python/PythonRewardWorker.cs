using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Rewards.Python;

/// <summary>
/// One long-lived Python process running reward_worker.py with the user's reward file loaded. It scores a batch at a
/// time, sample after sample; when a sample raises, only that sample fails; when one hangs past the timeout or takes
/// the process down, the batch stops at that sample with an error carrying the process's stderr (for a hang, its
/// stack) and the caller starts a fresh worker for the rest.
/// </summary>
internal sealed class PythonRewardWorker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly StderrTail _stderr;
    private readonly PythonRewardOptions _options;
    private readonly string _home;
    private int _disposed;

    private PythonRewardWorker(Process process, PythonRewardOptions options, string home)
    {
        _process = process;
        _options = options;
        _home = home;
        _input = process.StandardInput.BaseStream;
        _output = process.StandardOutput.BaseStream;
        _stderr = StderrTail.Start(process.StandardError.BaseStream, options.StderrTailBytes);
    }

    /// <summary>Where a batch stopped: <see cref="Index"/> is the first sample without a result; <see cref="Failure"/> says why (null: all scored).</summary>
    public readonly record struct BatchEnd(int Index, string? Failure);

    /// <summary>The interpreter's version, as the worker reported it.</summary>
    public string PythonVersion { get; private set; } = "";

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts a worker and loads the reward file in it. A file that does not import, or has no such function, is a
    /// <see cref="RewardConfigurationException"/> with Python's error.
    /// </summary>
    public static async Task<PythonRewardWorker> StartAsync(WorkerLaunch launch, int slot, PythonRewardOptions options, CancellationToken cancellationToken)
    {
        var home = launch.NewHome(slot);
        var process = new Process { StartInfo = launch.StartInfo(home) };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            TryDelete(home);
            throw new RewardConfigurationException($"cannot start the Python interpreter '{launch.Interpreter}' for custom rewards: {e.Message}");
        }

        var worker = new PythonRewardWorker(process, options, home);
        var function = launch.Function;
        try
        {
            var config = new JsonObject
            {
                ["path"] = function.Path,
                ["name"] = function.Name,
                ["kwargs"] = function.Kwargs?.DeepClone() ?? new JsonObject(),
            };
            JsonObject? reply;
            try
            {
                await WorkerFrames.WriteAsync(worker._input, config, cancellationToken).ConfigureAwait(false);
                reply = await WorkerFrames.ReadAsync(worker._output, CancellationToken.None).WaitAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                reply = null;
            }
            catch (TimeoutException)
            {
                throw new RewardConfigurationException(
                    $"{function.Path}: the Python reward worker did not load it within {Seconds(options.StartTimeout)}{await worker.StderrAfterStopAsync(dumpStack: true).ConfigureAwait(false)}");
            }

            if (reply is null)
            {
                throw new RewardConfigurationException(
                    $"{function.Path}: the Python reward worker ({launch.Interpreter}) {await worker.ExitAsync().ConfigureAwait(false)} while loading it{worker.StderrSection()}");
            }

            if (reply["ok"] is not JsonValue ok || ok.GetValueKind() != JsonValueKind.True)
            {
                throw new RewardConfigurationException(
                    $"{function.Path}: cannot load reward function '{function.Name}': {WorkerReplies.RaisedError(reply, "")}");
            }

            worker.PythonVersion = reply["python"]?.GetValue<string>() ?? "";
            return worker;
        }
        catch
        {
            await worker.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Scores <paramref name="requests"/> from <paramref name="start"/> on, handing each outcome to
    /// <paramref name="deliver"/> as it arrives. Stops at the first sample that hangs or kills the worker (which is then
    /// unusable: dispose it).
    /// </summary>
    public async Task<BatchEnd> ScoreAsync(IReadOnlyList<RewardRequest> requests, int start, Action<int, RewardOutcome> deliver)
    {
        try
        {
            await WorkerFrames.WriteAsync(_input, WorkerReplies.Batch(requests, start), CancellationToken.None).WaitAsync(_options.Timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or TimeoutException or ObjectDisposedException)
        {
            return new BatchEnd(start, await DiedAsync().ConfigureAwait(false));
        }

        for (var i = start; i < requests.Count; i++)
        {
            var read = WorkerFrames.ReadAsync(_output, CancellationToken.None);
            JsonObject? reply;
            try
            {
                reply = await read.WaitAsync(_options.Timeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _ = read.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                return new BatchEnd(i,
                    $"custom reward timed out after {Seconds(_options.Timeout)} on this sample; its worker was stopped (and replaced for the other samples){await StderrAfterStopAsync(dumpStack: true).ConfigureAwait(false)}");
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                reply = null;
            }
            catch (InvalidDataException e)
            {
                return new BatchEnd(i, $"the reward worker broke the protocol on this sample ({e.Message}){await StderrAfterStopAsync(dumpStack: false).ConfigureAwait(false)}");
            }

            if (reply is null)
            {
                return new BatchEnd(i, await DiedAsync().ConfigureAwait(false));
            }

            RewardOutcome outcome;
            try
            {
                outcome = WorkerReplies.Outcome(reply);
            }
            catch (InvalidDataException e)
            {
                return new BatchEnd(i, $"the reward worker sent a malformed reply for this sample ({e.Message}){await StderrAfterStopAsync(dumpStack: false).ConfigureAwait(false)}");
            }

            deliver(i, outcome);
        }

        return new BatchEnd(requests.Count, null);
    }

    /// <summary>Kills the process now (it may be hung in user code); safe to call more than once.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    /// <summary>Ends the worker: end of input lets it exit by itself; one that does not within a second is killed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            _input.Dispose();
        }
        catch (IOException)
        {
            // The pipe is already broken.
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Kill();
        }

        await _stderr.Pump.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        _process.Dispose();
        TryDelete(_home);
    }

    private async Task<string> DiedAsync() =>
        $"the reward worker process {await ExitAsync().ConfigureAwait(false)} while scoring this sample (it was replaced for the other samples){StderrSection()}";

    /// <summary>Waits for the process to end (killing it after 2 s) and describes how it ended.</summary>
    private async Task<string> ExitAsync()
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Kill();
            await _process.WaitForExitAsync().ConfigureAwait(false);
            return "stopped answering";
        }

        await _stderr.Pump.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        return $"died ({UnixSignals.DescribeExit(_process.ExitCode)})";
    }

    /// <summary>Stops a hung or misbehaving worker (asking for its stack first) and returns its stderr for the error.</summary>
    private async Task<string> StderrAfterStopAsync(bool dumpStack)
    {
        if (dumpStack && UnixSignals.RequestStackDump(_process.Id))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
        }

        Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        await _stderr.Pump.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        return StderrSection();
    }

    private string StderrSection() => _stderr.Text() is { Length: > 0 } text ? $"; worker stderr (last {_options.StderrTailBytes} bytes):\n{text}" : "; the worker wrote nothing to stderr";

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Something the user's code left behind that cannot go; the pool's root folder is removed later anyway.
        }
    }
}
