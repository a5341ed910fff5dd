namespace VerlOrleans.Grains.Runs;

/// <summary>
/// The right to execute one run, held by at most one activation in the whole cluster: an exclusive lock on a file next
/// to the run's results folder on the shared path. Orleans keeps one activation per grain only eventually: when a
/// silo dies with part of the grain directory, a second activation of a run can start while the first still executes
/// (or is still draining after its silo was told to stop). The second waits for the lease, so a results journal is
/// never written by two writers; if the lease stays taken, it steps aside.
/// </summary>
public sealed class RunLease : IDisposable
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(250);
    private readonly FileStream _file;

    private RunLease(FileStream file) => _file = file;

    /// <summary>The lease file of the run whose results folder is <paramref name="resultsDirectory"/>.</summary>
    public static string PathFor(string resultsDirectory) => Path.TrimEndingDirectorySeparator(resultsDirectory) + ".lease";

    /// <summary>Takes the lease, waiting up to <paramref name="wait"/> for its holder to let go; null when it did not.</summary>
    public static async Task<RunLease?> AcquireAsync(string resultsDirectory, TimeSpan wait, TimeProvider clock, CancellationToken cancellationToken)
    {
        var path = PathFor(resultsDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var started = clock.GetTimestamp();
        while (true)
        {
            try
            {
                return new RunLease(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException e) when (IsHeldElsewhere(e))
            {
                if (clock.GetElapsedTime(started) >= wait)
                {
                    return null;
                }

                await Task.Delay(RetryInterval, clock, cancellationToken);
            }
        }
    }

    public void Dispose() => _file.Dispose();

    // EWOULDBLOCK from flock on Unix; ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION on Windows.
    private static bool IsHeldElsewhere(IOException e) => e.HResult is 11 or unchecked((int)0x80070020) or unchecked((int)0x80070021);
}
