namespace VerlOrleans.Evaluation.Rewards.Code;

/// <summary>
/// How code-execution rewards run candidate programs: always inside bubblewrap (fresh user, network, PID, IPC and UTS
/// namespaces; the system folders read-only; a private size-limited <c>/tmp</c> as the only writable place), under
/// resource limits the harness sets before any candidate code runs. The time limits default to verl's prime_code
/// (5 s alarm for all tests at once, then 10 s per test, each child killed one second after its alarm); shorter ones
/// change scores, longer ones only cost time.
/// </summary>
public sealed class CodeSandboxOptions
{
    /// <summary>The bubblewrap executable; a bare name is looked up on PATH.</summary>
    public string Bubblewrap { get; set; } = "bwrap";

    /// <summary>
    /// Used when this process runs as root: bubblewrap is started as <see cref="SandboxUid"/> through util-linux's
    /// <c>setpriv</c>, because the kernel does not enforce the process-count limit on root.
    /// </summary>
    public string Setpriv { get; set; } = "setpriv";

    /// <summary>The uid (and gid) sandboxes run as when this process is root (default: nobody).</summary>
    public int SandboxUid { get; set; } = 65534;

    /// <summary>The Python that runs the harness and the candidate programs (verl runs them with its own interpreter).</summary>
    public string Interpreter { get; set; } = "/usr/bin/python3";

    /// <summary>
    /// Host folders mounted read-only into the sandbox besides <c>/usr</c> (and the <c>/bin</c>, <c>/lib</c>… links
    /// or folders): e.g. a virtualenv the interpreter lives in.
    /// </summary>
    public IList<string> ReadOnlyPaths { get; set; } = [];

    /// <summary>Address space per process (RLIMIT_AS).</summary>
    public long MemoryBytes { get; set; } = 1L << 30;

    /// <summary>Processes (and threads) in one sandbox (RLIMIT_NPROC, counted per sandbox's user namespace).</summary>
    public int MaxProcesses { get; set; } = 32;

    /// <summary>CPU seconds per process (RLIMIT_CPU): a backstop behind the alarms; it must exceed <see cref="TestTimeoutSeconds"/>.</summary>
    public int CpuSecondsPerProcess { get; set; } = 15;

    /// <summary>Largest file a program may write (RLIMIT_FSIZE).</summary>
    public long MaxFileBytes { get; set; } = 16L << 20;

    /// <summary>Open files per process (RLIMIT_NOFILE).</summary>
    public int MaxOpenFiles { get; set; } = 256;

    /// <summary>Size of the private <c>/tmp</c>, the one writable folder.</summary>
    public long ScratchBytes { get; set; } = 64L << 20;

    /// <summary>verl's alarm for the run of all tests at once (<c>timeout=5</c> in prime_code.compute_score).</summary>
    public int FirstPassTimeoutSeconds { get; set; } = 5;

    /// <summary>verl's alarm for each test run alone (<c>timeout=10</c>).</summary>
    public int TestTimeoutSeconds { get; set; } = 10;

    /// <summary>Tests run one by one after a failure (verl: the first 10).</summary>
    public int MaxTests { get; set; } = 10;

    /// <summary>Sandboxes running at once in this process.</summary>
    public int MaxConcurrent { get; set; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Time allowed on top of the alarms for starting the sandbox and Python.</summary>
    public TimeSpan StartupAllowance { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest one sample can take before the whole sandbox is killed: all tests at once, then every test alone,
    /// each with its one-second grace, plus <see cref="StartupAllowance"/>.
    /// </summary>
    public TimeSpan WallLimit =>
        StartupAllowance + TimeSpan.FromSeconds(FirstPassTimeoutSeconds + 1 + (MaxTests * (TestTimeoutSeconds + 1)));

    /// <summary>Throws <see cref="RewardConfigurationException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        Check(FirstPassTimeoutSeconds is >= 1 and <= 3600, $"code sandbox first-pass timeout must be 1..3600 s, got {FirstPassTimeoutSeconds}");
        Check(TestTimeoutSeconds is >= 1 and <= 3600, $"code sandbox test timeout must be 1..3600 s, got {TestTimeoutSeconds}");
        Check(MaxTests is >= 1 and <= 1000, $"code sandbox max tests must be 1..1000, got {MaxTests}");
        Check(MaxProcesses is >= 4 and <= 4096, $"code sandbox max processes must be 4..4096 (the harness itself needs a few), got {MaxProcesses}");
        Check(MemoryBytes >= 64L << 20, $"code sandbox memory must be at least 64 MiB, got {MemoryBytes}");
        Check(CpuSecondsPerProcess > Math.Max(FirstPassTimeoutSeconds, TestTimeoutSeconds),
            $"code sandbox CPU seconds per process ({CpuSecondsPerProcess}) must exceed the alarms, or it changes scores");
        Check(MaxFileBytes > 0 && MaxOpenFiles >= 16 && ScratchBytes >= 1 << 20, "code sandbox file limits are too small");
        Check(MaxConcurrent is >= 1 and <= 1024, $"code sandbox concurrency must be 1..1024, got {MaxConcurrent}");
        Check(SandboxUid > 0, "the sandbox uid must not be root");
    }

    private static void Check(bool ok, string message)
    {
        if (!ok)
        {
            throw new RewardConfigurationException(message);
        }
    }
}
