using Microsoft.Extensions.Options;
using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Grains.Hosting;

namespace VerlOrleans.Grains.Inputs;

/// <summary>
/// Confines the paths requests name to the configured roots. A path is made canonical first (absolute, <c>.</c> and
/// <c>..</c> folded, every symbolic link along it followed), so neither <c>root/../etc</c> nor a link inside a root
/// that points out of it gets through. Checked by the API, the dashboard's probes and the grains themselves (a
/// cluster client reaches grains without the API), before anything is read.
/// </summary>
public sealed class PathRoots(IOptions<GridOptions> options)
{
    /// <summary>Longest path accepted (Linux PATH_MAX).</summary>
    public const int MaxPathLength = 4096;

    private const int MaxLinkHops = 40;

    public const string CheckpointRootsKey = "VerlOrleans:Paths:CheckpointRoots";
    public const string DataRootsKey = "VerlOrleans:Paths:DataRoots";

    /// <summary>The checkpoint roots in effect (configured, or the user's home and the demo folder).</summary>
    public IReadOnlyList<string> CheckpointRoots => Effective(options.Value.Paths.CheckpointRoots);

    /// <summary>The dataset roots in effect (configured, or the user's home and the demo folder).</summary>
    public IReadOnlyList<string> DataRoots => Effective(options.Value.Paths.DataRoots);

    /// <summary>Why <paramref name="path"/> may not be read as a checkpoint, or null when it may.</summary>
    public string? CheckpointProblem(string? path) => Problem(path, CheckpointRoots, CheckpointRootsKey);

    /// <summary>Why <paramref name="path"/> may not be read as a dataset, or null when it may.</summary>
    public string? DataFileProblem(string? path) => Problem(path, DataRoots, DataRootsKey);

    /// <summary>
    /// Refuses (403, naming each field) a run spec whose checkpoint, data files or custom reward file lie outside the
    /// roots. The reward file is Python code the grid runs, so it must sit where datasets may (the data roots).
    /// </summary>
    public void Require(string? checkpoint, IReadOnlyList<string> dataFiles, string prefix = "", string? rewardPath = null)
    {
        var errors = new List<FieldError>();
        if (checkpoint is not null && CheckpointProblem(checkpoint) is { } problem)
        {
            errors.Add(new FieldError(prefix + "checkpoint", problem));
        }

        for (var i = 0; i < dataFiles.Count; i++)
        {
            if (DataFileProblem(dataFiles[i]) is { } dataProblem)
            {
                errors.Add(new FieldError($"{prefix}dataFiles[{i}]", dataProblem));
            }
        }

        if (rewardPath is not null && DataFileProblem(rewardPath) is { } rewardProblem)
        {
            errors.Add(new FieldError(prefix + "rewardPath", rewardProblem));
        }

        if (errors.Count > 0)
        {
            throw new RequestRefusedException(errors, 403);
        }
    }

    /// <summary>
    /// The canonical form of an absolute path: <c>.</c> and <c>..</c> folded and every symbolic link followed, the
    /// way the kernel would open it. Parts that do not exist are kept as written.
    /// </summary>
    public static string Canonical(string path)
    {
        var hops = 0;
        return Resolve(Path.GetFullPath(path), ref hops);
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or lies under it (both canonical).</summary>
    public static bool IsWithin(string path, string root)
    {
        var trimmedRoot = Path.TrimEndingDirectorySeparator(root);
        return path == trimmedRoot
            || trimmedRoot == "/"
            || path.StartsWith(trimmedRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    private string? Problem(string? path, IReadOnlyList<string> roots, string key)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "no path given";
        }

        if (path.Length > MaxPathLength || path.Contains('\0', StringComparison.Ordinal))
        {
            return $"is not a usable path (at most {MaxPathLength} characters, no NUL)";
        }

        if (!Path.IsPathFullyQualified(path))
        {
            return $"{path} must be an absolute path";
        }

        string canonical;
        try
        {
            canonical = Canonical(path);
        }
        catch (IOException e)
        {
            return $"{path} cannot be resolved: {e.Message}";
        }

        return roots.Any(root => IsWithin(canonical, Canonical(root)))
            ? null
            : $"{path} is outside the folders this grid may read ({string.Join(", ", roots)}); a deployment lists its own in {key}";
    }

    private IReadOnlyList<string> Effective(List<string> configured) =>
        configured.Count > 0 ? configured : [GridOptions.HomeDirectory, options.Value.DemoDirectory];

    private static string Resolve(string fullPath, ref int hops)
    {
        var root = Path.GetPathRoot(fullPath) ?? "/";
        var current = root;
        foreach (var part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo info = new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                if (++hops > MaxLinkHops)
                {
                    throw new IOException($"too many symbolic links at {next}");
                }

                // A relative link target is relative to the folder holding the link.
                current = Resolve(Path.GetFullPath(target, current), ref hops);
            }
            else
            {
                current = next;
            }
        }

        return current;
    }
}
