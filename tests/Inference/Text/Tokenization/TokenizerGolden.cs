using System.Text.Json;
using VerlOrleans.Testing;

namespace VerlOrleans.Inference.Tests.Text.Tokenization;

/// <summary>One case of <c>Fixtures/Tokenizers/&lt;family&gt;/golden.json</c>, written by tools/text-oracle/tokenize-oracle.mjs.</summary>
public sealed record TokenizerGoldenCase(
    int Index, string Text, int[] Ids, string Decoded, string DecodedSkippingSpecial, int HalfIds, string HalfDecoded)
{
    public static IReadOnlyList<TokenizerGoldenCase> Load(string family)
    {
        var path = Path.Combine(TextFixtures.Folder, "Tokenizers", family, "golden.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("cases").EnumerateArray()
            .Select((c, i) => new TokenizerGoldenCase(
                i,
                c.GetProperty("text").GetString()!,
                c.GetProperty("ids").EnumerateArray().Select(id => id.GetInt32()).ToArray(),
                c.GetProperty("decoded").GetString()!,
                c.GetProperty("decodedSkippingSpecial").GetString()!,
                c.GetProperty("halfIds").GetInt32(),
                c.GetProperty("halfDecoded").GetString()!))
            .ToList();
    }

    public override string ToString() => $"case {Index} {JsonSerializer.Serialize(Text)[..Math.Min(60, JsonSerializer.Serialize(Text).Length)]}";
}
