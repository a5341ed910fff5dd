namespace VerlOrleans.Testing;

/// <summary>Locates the repository checkout the tests were built from.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding VerlOrleans.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary><c>../shared</c> next to the checkout, when that folder exists (it holds verl's real test data).</summary>
    public static string? SharedFolder =>
        Directory.Exists(Path.Combine(Root, "..", "shared")) ? Path.GetFullPath(Path.Combine(Root, "..", "shared")) : null;

    /// <summary>
    /// The folders tests name checkpoints and datasets in (the checkout with its fixtures and demo, the temp folder,
    /// ../shared): the path roots every test silo allows (VerlOrleans:Paths).
    /// </summary>
    public static IReadOnlyList<string> TestRoots => [Root, Path.GetTempPath(), .. SharedFolder is { } shared ? [shared] : Array.Empty<string>()];

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VerlOrleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"VerlOrleans.sln not found above {AppContext.BaseDirectory}");
    }
}
