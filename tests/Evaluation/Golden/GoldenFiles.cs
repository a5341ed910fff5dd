using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Tests.Golden;

/// <summary>The files Golden/generate.py wrote from verl's own Python code (copied next to the test binaries).</summary>
internal static class GoldenFiles
{
    public static string PathOf(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Golden", name);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"golden file {name} is missing; regenerate with: /usr/bin/python3 tests/Evaluation/Golden/generate.py VERL_DIR", path);
    }

    public static IEnumerable<(int Line, JsonObject Record)> ReadJsonLines(string name)
    {
        var line = 0;
        foreach (var text in File.ReadLines(PathOf(name)))
        {
            line++;
            yield return (line, JsonNode.Parse(text)!.AsObject());
        }
    }

    public static JsonNode ReadJson(string name) => JsonNode.Parse(File.ReadAllText(PathOf(name)))!;
}
