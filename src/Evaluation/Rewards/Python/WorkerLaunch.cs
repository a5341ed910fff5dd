using System.Diagnostics;

namespace VerlOrleans.Evaluation.Rewards.Python;

/// <summary>
/// How a reward worker process is started: the interpreter running the shipped worker script, with a scrubbed
/// environment (PATH, HOME set to the worker's own folder, LANG, and PYTHONPATH holding the reward file's folder so
/// its own imports work, then any configured extra folders; nothing else of the host's environment, so no tokens or credentials leak into user code), in
/// a working folder of its own that is deleted with the worker.
/// </summary>
internal sealed class WorkerLaunch(string interpreter, string scriptPath, string root, CustomRewardFunction function, IReadOnlyList<string> extraPythonPath)
{
    private const string SystemPath = "/usr/local/bin:/usr/bin:/bin";

    private int _started;

    public string Interpreter { get; } = interpreter;

    public CustomRewardFunction Function { get; } = function;

    /// <summary>A new working folder (also HOME) for one worker process.</summary>
    public string NewHome(int slot)
    {
        var home = Path.Combine(root, $"worker-{slot}-{Interlocked.Increment(ref _started)}");
        Directory.CreateDirectory(home);
        return home;
    }

    public ProcessStartInfo StartInfo(string home)
    {
        var info = new ProcessStartInfo(Interpreter)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = home,
        };
        // -B: no __pycache__ written next to the user's file; -s: no user site-packages.
        info.ArgumentList.Add("-B");
        info.ArgumentList.Add("-s");
        info.ArgumentList.Add(scriptPath);
        info.Environment.Clear();
        var interpreterFolder = Path.GetDirectoryName(Interpreter);
        info.Environment["PATH"] = string.IsNullOrEmpty(interpreterFolder) ? SystemPath : interpreterFolder + ":" + SystemPath;
        info.Environment["HOME"] = home;
        info.Environment["LANG"] = "C.UTF-8";
        info.Environment["PYTHONPATH"] = string.Join(':', extraPythonPath.Prepend(Path.GetDirectoryName(Function.Path) ?? "/"));
        return info;
    }
}
