namespace VerlOrleans.Testing;

/// <summary>Every file under a folder with its bytes, to show that something left a folder exactly as it was.</summary>
public static class FolderSnapshot
{
    /// <summary>Relative path (with '/') to content, for every file under <paramref name="folder"/>; empty when it does not exist.</summary>
    public static SortedDictionary<string, byte[]> Take(string folder)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        if (!Directory.Exists(folder))
        {
            return files;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            files[Path.GetRelativePath(folder, file).Replace('\\', '/')] = File.ReadAllBytes(file);
        }

        return files;
    }

    /// <summary>Asserts <paramref name="after"/> holds the same files with the same bytes as <paramref name="before"/>.</summary>
    public static void AssertSame(SortedDictionary<string, byte[]> before, SortedDictionary<string, byte[]> after)
    {
        Xunit.Assert.Equal(before.Keys, after.Keys);
        foreach (var (name, bytes) in before)
        {
            Xunit.Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} changed ({bytes.Length} bytes before, {after[name].Length} after)");
        }
    }
}
