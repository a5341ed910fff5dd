using System.Text.Json;

namespace VerlOrleans.Testing;

/// <summary>The committed demo (tools/demo/generate.sh): demo/verl-run, demo/data/demo_test.parquet and demo/MANIFEST.json.</summary>
public static class DemoFiles
{
    public static string Folder { get; } = Path.Combine(RepositoryPaths.Root, "demo");

    public static string Dataset { get; } = Path.Combine(Folder, "data", "demo_test.parquet");

    public static JsonElement Manifest => LazyManifest.Value;

    /// <summary>Saved global steps, in order.</summary>
    public static IReadOnlyList<long> Steps => [.. Manifest.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetInt64())];

    public static JsonElement Step(long step) =>
        Manifest.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("step").GetInt64() == step);

    public static string RunFolder { get; } = Path.Combine(Folder, "verl-run");

    public static string Actor(long step) => Path.Combine(RunFolder, $"global_step_{step}", "actor");

    private static readonly Lazy<JsonElement> LazyManifest = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "MANIFEST.json"))).RootElement);
}
