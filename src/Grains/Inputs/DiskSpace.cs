namespace VerlOrleans.Grains.Inputs;

/// <summary>Free space where a folder's files would land: the mount holding it (the longest mount point above it).</summary>
public static class DiskSpace
{
    /// <summary>Bytes free for this process on the file system holding <paramref name="folder"/>, or null when unknown.</summary>
    public static long? FreeBytes(string folder)
    {
        var full = Path.GetFullPath(folder);
        try
        {
            var drive = DriveInfo.GetDrives()
                .Where(d => d.IsReady && PathRoots.IsWithin(full, d.RootDirectory.FullName))
                .MaxBy(d => d.RootDirectory.FullName.Length);
            return drive?.AvailableFreeSpace;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
