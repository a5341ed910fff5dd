using System.Diagnostics;
using System.Text;

namespace VerlOrleans.Evaluation.Rewards.Code;

/// <summary>
/// Runs a Python program on untrusted input inside bubblewrap, never in this process: new user, network, PID, IPC, UTS
/// and cgroup namespaces (no network at all, not even loopback to the host), no capabilities, no nested user
/// namespaces, <c>/usr</c> read-only, a private size-limited <c>/tmp</c>, an empty environment, its own session (no
/// terminal injection), and killed with everything it started when it outlives its wall limit (the sandbox's PID
/// namespace dies with its first process). No <c>--die-with-parent</c>: it ties bubblewrap to the parent thread that
/// forked it, and .NET starts processes from pool threads that come and go, so sandboxes were killed at random; a
/// sandbox whose silo died still ends within its alarms, which the harness enforces. There is no unsandboxed fallback:
/// when the sandbox cannot be created, every call throws <see cref="RewardConfigurationException"/> saying why.
/// </summary>
public sealed class CodeSandbox
{
    private const int MaxStdoutBytes = 1 << 20;
    private const int StderrTailChars = 2000;
    private static readonly string[] SystemLinks = ["/bin", "/sbin", "/lib", "/lib64", "/lib32"];

    // Debian's shared-library alternatives (numpy's libblas.so.3 resolves through /etc/alternatives), the loader cache
    // and the time zone: read-only, and only these of /etc (no passwd, no host names, no credentials).
    private static readonly string[] SystemFiles = ["/etc/alternatives", "/etc/ld.so.cache", "/etc/localtime"];

    private readonly SemaphoreSlim _slots;
    private readonly Lazy<Task<string[]>> _launcher;

    public CodeSandbox(CodeSandboxOptions options)
    {
        options.Validate();
        Options = options;
        _slots = new SemaphoreSlim(options.MaxConcurrent);
        _launcher = new Lazy<Task<string[]>>(ProbeAsync);
    }

    public CodeSandboxOptions Options { get; }

    /// <summary>
    /// Runs <c>python3 -I -B -c <paramref name="source"/></c> in a fresh sandbox with <paramref name="input"/> on its
    /// stdin. Waits for a free slot first. Throws <see cref="RewardConfigurationException"/> when no sandbox can be made.
    /// </summary>
    public async Task<SandboxRun> RunAsync(string source, string input, TimeSpan wallLimit, CancellationToken cancellationToken = default)
    {
        var launcher = await _launcher.Value.ConfigureAwait(false);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RunOnceAsync(launcher, source, input, wallLimit, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Checks once that a sandbox can be created here (bubblewrap present, user namespaces allowed).</summary>
    public Task EnsureAvailableAsync() => _launcher.Value;

    private async Task<string[]> ProbeAsync()
    {
        var launcher = Launcher();
        SandboxRun probe;
        try
        {
            probe = await RunOnceAsync(launcher, "print('sandbox-ok')", "", TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            throw Unavailable($"'{launcher[0]}' could not be started: {e.Message}");
        }

        return probe.ExitCode == 0 && probe.Stdout.Trim() == "sandbox-ok"
            ? launcher
            : throw Unavailable($"the probe sandbox failed ({(probe.TimedOut ? "timed out" : $"exit code {probe.ExitCode}")}): {probe.StderrTail.Trim()}");
    }

    private static RewardConfigurationException Unavailable(string why) => new(
        $"code rewards run candidate programs only inside a bubblewrap sandbox, and none can be created here: {why}. " +
        "Install bubblewrap (Debian: apt-get install bubblewrap), allow user namespaces (sysctl kernel.unprivileged_userns_clone=1; " +
        "in a container, a seccomp profile that permits them), or route these data sources to another reward; they are never run unsandboxed");

    /// <summary>The command line up to the program: [setpriv … --] bwrap …, fixed for the process's lifetime.</summary>
    private string[] Launcher()
    {
        var o = Options;
        var bwrap = ResolveExecutable(o.Bubblewrap, "bubblewrap");
        var args = new List<string>();
        if (Environment.IsPrivilegedProcess)
        {
            // Root is exempt from RLIMIT_NPROC, inside a user namespace too: the sandbox starts as an ordinary uid.
            args.AddRange([ResolveExecutable(o.Setpriv, "setpriv (util-linux)"), $"--reuid={o.SandboxUid}", $"--regid={o.SandboxUid}", "--clear-groups", "--"]);
        }

        args.AddRange([bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--new-session", "--cap-drop", "ALL",
            "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp", "--setenv", "LANG", "C.UTF-8", "--hostname", "sandbox",
            "--ro-bind", "/usr", "/usr"]);
        foreach (var path in SystemLinks)
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is { } target)
            {
                args.AddRange(["--symlink", target, path]);
            }
            else if (Directory.Exists(path))
            {
                args.AddRange(["--ro-bind", path, path]);
            }
        }

        foreach (var path in SystemFiles)
        {
            args.AddRange(["--ro-bind-try", path, path]);
        }

        foreach (var path in o.ReadOnlyPaths)
        {
            args.AddRange(["--ro-bind", Path.GetFullPath(path), Path.GetFullPath(path)]);
        }

        args.AddRange(["--proc", "/proc", "--dev", "/dev", "--size", o.ScratchBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tmpfs", "/tmp", "--chdir", "/tmp", "--", o.Interpreter, "-I", "-B", "-c"]);
        return [.. args];
    }

    private static string ResolveExecutable(string name, string what)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(name) ? name : throw Unavailable($"{what} '{name}' does not exist");
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin"))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw Unavailable($"{what} ('{name}') is not on PATH");
    }

    private static async Task<SandboxRun> RunOnceAsync(string[] launcher, string source, string input, TimeSpan wallLimit, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(launcher[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = "/",
        };
        foreach (var arg in launcher.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        info.ArgumentList.Add(source);
        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/bin:/bin";
        using var process = Process.Start(info) ?? throw new IOException($"'{launcher[0]}' did not start");
        var stopwatch = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(wallLimit);
        var stdout = ReadCappedAsync(process.StandardOutput, MaxStdoutBytes);
        var stderr = ReadCappedAsync(process.StandardError, 64 << 10);
        var timedOut = false;
        try
        {
            try
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), deadline.Token).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The sandbox ended before reading its input; its exit code and stderr say why.
            }

            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellationToken.IsCancellationRequested;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        var error = await stderr.ConfigureAwait(false);
        return new SandboxRun(process.ExitCode, await stdout.ConfigureAwait(false),
            error.Length > StderrTailChars ? error[^StderrTailChars..] : error, timedOut, stopwatch.Elapsed);
    }

    private static async Task<string> ReadCappedAsync(StreamReader reader, int maxChars)
    {
        var text = new StringBuilder();
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            // Keep draining past the cap so the sandbox never blocks on a full pipe; only the head is kept.
            text.Append(buffer, 0, Math.Min(read, Math.Max(0, maxChars - text.Length)));
        }

        return text.ToString();
    }
}
