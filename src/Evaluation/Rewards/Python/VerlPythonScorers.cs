namespace VerlOrleans.Evaluation.Rewards.Python;

/// <summary>
/// Scores <see cref="IPythonFallbackReward"/>s: natively where their port is exact, else with verl's (or mathruler's)
/// own Python function, run by the bundled verl_scorers.py in a <see cref="PythonRewardPool"/> on the configured
/// interpreter. The pool starts on the first response that needs it, so runs that never do start no Python.
/// A response Python cannot score (the interpreter lacks verl or sympy, the function raised, hung or crashed the
/// worker, or no interpreter starts at all) comes back as a per-sample error naming the reward and the cause; the
/// run goes on.
/// </summary>
public sealed class VerlPythonScorers(PythonRewardOptions? options = null) : IAsyncDisposable
{
    private const string ShimResource = "VerlOrleans.Evaluation.Rewards.Python.verl_scorers.py";
    private const string CustomLead = "custom reward raised ";

    private readonly SemaphoreSlim _starting = new(1, 1);
    private readonly PythonRewardOptions _options = options ?? new PythonRewardOptions();
    private PythonRewardPool? _pool;
    private string? _startFailure;
    private string? _folder;
    private bool _disposed;

    /// <summary>True once a response needed Python and the workers were started.</summary>
    public bool Started => Volatile.Read(ref _pool) is not null;

    public async Task<RewardOutcome> ScoreAsync(IPythonFallbackReward reward, RewardRequest request, CancellationToken cancellationToken = default)
    {
        if (reward.TryScoreNatively(request) is { } native)
        {
            return RewardOutcome.Success(native);
        }

        var pool = await PoolAsync(cancellationToken).ConfigureAwait(false);
        if (pool is null)
        {
            return RewardOutcome.Failure($"reward '{reward.Name}' needs {reward.PythonRequirements} for this response, and the Python reward workers cannot start: {_startFailure}");
        }

        RewardOutcome outcome;
        try
        {
            outcome = await pool.ScoreAsync(reward.ToPython(request), cancellationToken).ConfigureAwait(false);
        }
        catch (RewardConfigurationException e)
        {
            // A replacement worker did not start: this sample fails, as every sample does when none starts at all.
            return RewardOutcome.Failure($"reward '{reward.Name}' (Python): {e.Message}");
        }

        return outcome.Result is { } result
            ? RewardOutcome.Success(reward.FromPython(request, result))
            : RewardOutcome.Failure($"reward '{reward.Name}' (Python): " + (outcome.Error is { } error && error.StartsWith(CustomLead, StringComparison.Ordinal) ? error[CustomLead.Length..] : outcome.Error));
    }

    public async ValueTask DisposeAsync()
    {
        await _starting.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_pool is not null)
            {
                await _pool.DisposeAsync().ConfigureAwait(false);
            }

            if (_folder is not null)
            {
                try
                {
                    Directory.Delete(_folder, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Left in the temp folder; nothing reads it again.
                }
            }
        }
        finally
        {
            _starting.Release();
        }

        _starting.Dispose();
    }

    private async Task<PythonRewardPool?> PoolAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _pool) is { } started)
        {
            return started;
        }

        await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_pool is not null || _startFailure is not null)
            {
                return _pool;
            }

            _folder = Directory.CreateTempSubdirectory("verlorleans-verl-scorers-").FullName;
            var shim = Path.Combine(_folder, "verl_scorers.py");
            await using (var resource = typeof(VerlPythonScorers).Assembly.GetManifestResourceStream(ShimResource)
                ?? throw new InvalidOperationException($"{ShimResource} is not embedded"))
            await using (var file = File.Create(shim))
            {
                await resource.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                Volatile.Write(ref _pool, await PythonRewardPool.StartAsync(new CustomRewardFunction(shim), _options, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is RewardConfigurationException or ArgumentException)
            {
                // Remembered: every later response that needs Python gets the same error at once.
                _startFailure = e.Message;
            }

            return _pool;
        }
        finally
        {
            _starting.Release();
        }
    }
}
