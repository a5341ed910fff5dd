using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Checkpoints;

/// <summary>Copies of the real-producer checkpoint fixtures (tests/Checkpoints/Fixtures) a test may damage.</summary>
internal static class CheckpointFixtures
{
    public static string Source(string relative) => Path.Combine(RepositoryPaths.Root, "tests", "Checkpoints", "Fixtures", relative);

    /// <summary>Copies a fixture folder under <paramref name="into"/> and returns the copy's path.</summary>
    public static string CopyTo(TempDirectory into, string relative)
    {
        return Copy(Source(relative), into.Combine(relative.Replace('/', '_')));
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/> and returns <paramref name="target"/>.</summary>
    public static string Copy(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }
}
