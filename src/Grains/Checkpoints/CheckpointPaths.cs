namespace VerlOrleans.Grains.Checkpoints;

/// <summary>Checkpoint grain keys: one absolute path per folder, whatever way a user spelled it.</summary>
public static class CheckpointPaths
{
    /// <summary>Full path without a trailing separator (the grain key of the folder).</summary>
    public static string Normalize(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        return full.Length > 1 ? full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) : full;
    }
}
