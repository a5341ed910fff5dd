namespace VerlOrleans.Grains.Runs;

/// <summary>
/// Deletes a run's results folder and its lease file, and nothing else. The folder is taken from persisted state, so it
/// is checked first: it must be a real folder (not a link) directly under the grid's runs folder, as the run grain
/// names them; anything else is refused rather than deleted.
/// </summary>
public static class RunFolders
{
    /// <summary>
    /// Deletes <paramref name="resultsDirectory"/> recursively; true when it existed. Throws
    /// <see cref="InvalidOperationException"/> for a folder that is not a run folder of <paramref name="runsDirectory"/>.
    /// The caller holds the run's lease meanwhile, and deletes the lease file once it let go (<see cref="DeleteLease"/>).
    /// </summary>
    public static bool Delete(string resultsDirectory, string runsDirectory)
    {
        RequireRunFolder(resultsDirectory, runsDirectory);
        var info = new DirectoryInfo(Path.TrimEndingDirectorySeparator(Path.GetFullPath(resultsDirectory)));
        if (!info.Exists)
        {
            return false;
        }

        if (info.LinkTarget is not null)
        {
            throw new InvalidOperationException($"'{resultsDirectory}' is a link, not a folder the grid wrote; it is left alone");
        }

        // Links inside the folder are removed, never followed.
        info.Delete(recursive: true);
        return true;
    }

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/> unless <paramref name="resultsDirectory"/> lies directly under
    /// <paramref name="runsDirectory"/> (state written before the shared folder moved names a folder elsewhere).
    /// </summary>
    public static void RequireRunFolder(string resultsDirectory, string runsDirectory)
    {
        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(resultsDirectory));
        var runs = Path.TrimEndingDirectorySeparator(Path.GetFullPath(runsDirectory));
        if (!string.Equals(Path.GetDirectoryName(folder), runs, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"'{resultsDirectory}' is not a run folder of the grid's runs folder {runsDirectory}; it is left alone");
        }
    }

    /// <summary>Deletes the lease file of the run whose results folder is <paramref name="resultsDirectory"/>, if there is one.</summary>
    public static void DeleteLease(string resultsDirectory)
    {
        var lease = RunLease.PathFor(resultsDirectory);
        if (File.Exists(lease))
        {
            File.Delete(lease);
        }
    }
}
