namespace VerlOrleans.Evaluation.Rewards.Python;

/// <summary>
/// How custom Python rewards run on this machine: which interpreter (the system <c>python3</c> by default, or a
/// virtualenv holding the reward file's dependencies), how many worker processes, how many samples travel in one
/// message, and how long one sample may take. A deployment setting (the silo's <c>VerlOrleans:PythonRewards</c>
/// section, the CLI's <c>--python</c>/<c>--reward-*</c> options), never part of a run spec: a request names the reward
/// file, not the program that runs it.
/// </summary>
public sealed class PythonRewardOptions
{
    /// <summary>The system interpreter (a bare <c>python3</c> may be a pyenv or conda shim that depends on the caller's environment).</summary>
    public const string DefaultInterpreter = "/usr/bin/python3";

    /// <summary>The Python executable; a bare name is looked up on PATH. Ignored when <see cref="VirtualEnv"/> is set.</summary>
    public string Interpreter { get; set; } = DefaultInterpreter;

    /// <summary>A virtualenv folder: its <c>bin/python3</c> runs the workers (so the file can import what is installed there).</summary>
    public string? VirtualEnv { get; set; }

    /// <summary>
    /// Folders put on the workers' PYTHONPATH after the reward file's own (e.g. a verl checkout that is not installed
    /// in the interpreter): the workers' environment is scrubbed, so a PYTHONPATH of the host's does not reach them.
    /// </summary>
    public IList<string> PythonPath { get; set; } = [];

    /// <summary>Worker processes per run (each scores one batch at a time).</summary>
    public int Workers { get; set; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>Most samples in one message to a worker.</summary>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>
    /// Longest one sample may take (verl's <c>compute_score_timeout</c> idea): past it the worker is killed, the sample
    /// fails with a timeout error and its stack, and a fresh worker scores the rest.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest a worker may take to start and import the reward file.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Bytes of a worker's stderr kept for the error of a sample that killed or hung it.</summary>
    public int StderrTailBytes { get; set; } = 4096;

    /// <summary>The interpreter to run: the virtualenv's, the configured path, or the bare name found on PATH.</summary>
    public string ResolveInterpreter()
    {
        if (!string.IsNullOrWhiteSpace(VirtualEnv))
        {
            var inVenv = Path.Combine(Path.GetFullPath(VirtualEnv), "bin", "python3");
            return File.Exists(inVenv)
                ? inVenv
                : throw new RewardConfigurationException($"virtualenv '{VirtualEnv}' has no bin/python3");
        }

        if (string.IsNullOrWhiteSpace(Interpreter))
        {
            throw new RewardConfigurationException("no Python interpreter is configured for custom rewards");
        }

        if (Interpreter.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            var full = Path.GetFullPath(Interpreter);
            return File.Exists(full) ? full : throw new RewardConfigurationException($"Python interpreter '{Interpreter}' does not exist");
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, Interpreter);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new RewardConfigurationException($"Python interpreter '{Interpreter}' is not on PATH");
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Workers is < 1 or > 256)
        {
            throw new ArgumentException($"Python reward workers must be between 1 and 256, got {Workers}");
        }

        if (MaxBatchSize is < 1 or > 65536)
        {
            throw new ArgumentException($"Python reward batch size must be between 1 and 65536, got {MaxBatchSize}");
        }

        if (Timeout <= TimeSpan.Zero || StartTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("Python reward timeouts must be positive");
        }

        if (PythonPath.FirstOrDefault(folder => !Directory.Exists(folder)) is { } missing)
        {
            throw new ArgumentException($"Python reward path folder '{missing}' does not exist");
        }

        if (StderrTailBytes is < 0 or > 1 << 20)
        {
            throw new ArgumentException($"Python reward stderr tail must be between 0 and 1 MiB, got {StderrTailBytes}");
        }
    }
}
