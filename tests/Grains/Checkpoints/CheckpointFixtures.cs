using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Checkpoints;

/// <summary>Copies of the real-producer checkpoint fixtures (tests/Checkpoints/Fixtures) a test may damage.</summary>
internal static class CheckpointFixtures
{
    public static string Source(string relative) => Path.Combine(RepositoryPaths.Root, "tests", "Checkpoints", "Fixtures", relative);

    /// <summary>Copies a fixture folder under <paramref name="into"/> and returns the copy's path.</summary>
    public static string CopyTo(TempDirectory into, string relative)
    {
        var source = Source(relative);
        var target = into.Combine(relative.Replace('/', '_'));
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }
}
