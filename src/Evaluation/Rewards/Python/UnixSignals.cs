using System.Runtime.InteropServices;

namespace VerlOrleans.Evaluation.Rewards.Python;

/// <summary>Signals to worker processes and the names of the signals that end them (Linux numbering).</summary>
internal static partial class UnixSignals
{
    /// <summary>SIGUSR1 on Linux: the worker's faulthandler dumps every thread's stack to stderr.</summary>
    private const int SigUsr1 = 10;

    /// <summary>Asks a worker to print its stack (best effort; false where unsupported or it is gone).</summary>
    public static bool RequestStackDump(int pid) => OperatingSystem.IsLinux() && Kill(pid, SigUsr1) == 0;

    /// <summary>"exit code N", or "killed by SIGSEGV" for the 128+N codes .NET reports for a process a signal ended.</summary>
    public static string DescribeExit(int exitCode) => exitCode switch
    {
        > 128 and < 160 => $"killed by {Name(exitCode - 128)}",
        _ => $"exit code {exitCode}",
    };

    private static string Name(int signal) => signal switch
    {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL (the kernel's OOM killer, or someone else)",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => $"signal {signal}",
    };

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
