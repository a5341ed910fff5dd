using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests;

/// <summary>The checkpoint fixtures real PyTorch wrote (see tools/checkpoint-fixtures/README.md).</summary>
internal static class FixturePaths
{
    public static string Root { get; } = Path.Combine(RepositoryPaths.Root, "tests", "Checkpoints", "Fixtures");

    public static string Torch113(params string[] parts) => Existing(Path.Combine([Root, "torch-1.13", .. parts]));

    public static string Torch26(params string[] parts) => Existing(Path.Combine([Root, "torch-2.6", .. parts]));

    public static string WrittenByUs(params string[] parts) => Existing(Path.Combine([Root, "written-by-verlorleans", .. parts]));

    /// <summary>Copies a fixture folder so a test may damage it.</summary>
    public static string CopyFolder(string source, string destination)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return destination;
    }

    private static string Existing(string path) =>
        File.Exists(path) || Directory.Exists(path) ? path : throw new FileNotFoundException($"fixture missing: {path}");
}
