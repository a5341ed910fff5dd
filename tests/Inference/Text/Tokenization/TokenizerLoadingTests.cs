using System.Text.Json.Nodes;
using VerlOrleans.Inference.Text.Tokenization;
using VerlOrleans.Testing;

namespace VerlOrleans.Inference.Tests.Text.Tokenization;

public sealed class TokenizerLoadingTests : IDisposable
{
    private readonly TempDirectory _dir = new("tokenizer-loading");

    [Fact]
    public void A_small_byte_level_bpe_encodes_merges_and_added_tokens()
    {
        var tokenizer = HfTokenizer.FromDirectory(TinyTokenizerJson.Write(TinyTokenizerJson.Create(), _dir.Combine("tiny")));

        // "hello" merges fully; " wo" merges to "Ġwo", then "r" ... stay bytes; added tokens are matched whole.
        Assert.Equal([259, 261, 'r', 'l', 'd', 300, 301], tokenizer.Encode("hello world<|end|><tool>"));
        Assert.Equal("hello world<|end|><tool>", tokenizer.Decode([259, 261, 'r', 'l', 'd', 300, 301]));
        Assert.Equal("hello world<tool>", tokenizer.Decode([259, 261, 'r', 'l', 'd', 300, 301], skipSpecialTokens: true));
        Assert.True(tokenizer.IsSpecial(300));
        Assert.False(tokenizer.IsSpecial(301));
        Assert.Equal(302, tokenizer.VocabularySize);
    }

    [Fact]
    public void Merges_in_pair_form_load_like_merges_in_string_form()
    {
        var json = TinyTokenizerJson.Create();
        var pairs = new JsonArray();
        foreach (var merge in json["model"]!["merges"]!.AsArray())
        {
            var parts = merge!.GetValue<string>().Split(' ');
            pairs.Add(new JsonArray(parts[0], parts[1]));
        }

        json["model"]!["merges"] = pairs;
        var tokenizer = HfTokenizer.FromDirectory(TinyTokenizerJson.Write(json, _dir.Combine("pairs")));

        Assert.Equal([259, 261, 'r', 'l', 'd'], tokenizer.Encode("hello world"));
    }

    [Fact]
    public void Ignore_merges_takes_a_piece_that_is_in_the_vocabulary_whole()
    {
        var json = TinyTokenizerJson.Create();
        json["model"]!["vocab"]!["Ġworld"] = 290; // reachable by no merge
        var plain = HfTokenizer.FromDirectory(TinyTokenizerJson.Write(json, _dir.Combine("plain")));
        json["model"]!["ignore_merges"] = true;
        var ignoring = HfTokenizer.FromDirectory(TinyTokenizerJson.Write(json, _dir.Combine("ignoring")));

        Assert.Equal([261, 'r', 'l', 'd'], plain.Encode(" world"));
        Assert.Equal([290], ignoring.Encode(" world"));
    }

    [Fact]
    public void Nfc_is_applied_when_declared()
    {
        var json = TinyTokenizerJson.Create();
        var nfc = HfTokenizer.FromDirectory(TinyTokenizerJson.Write(json, _dir.Combine("nfc")));
        json.Remove("normalizer");
        var raw = HfTokenizer.FromDirectory(TinyTokenizerJson.Write(json, _dir.Combine("raw")));

        Assert.Equal(nfc.Encode("caf\u00e9"), nfc.Encode("cafe\u0301"));
        Assert.NotEqual(raw.Encode("caf\u00e9"), raw.Encode("cafe\u0301"));
    }

    public static TheoryData<string, string, string> UnsupportedTokenizers => new()
    {
        { "model.type", "Unigram", "model.type" },
        { "normalizer", "NFKC", "normalizer.type" },
        { "pre_tokenizer", "Metaspace", "pre_tokenizer.type" },
        { "decoder", "Metaspace", "decoder.type" },
    };

    [Theory]
    [MemberData(nameof(UnsupportedTokenizers))]
    public void An_unsupported_kind_fails_naming_the_field_and_the_kind(string part, string kind, string field)
    {
        var json = TinyTokenizerJson.Create();
        if (part == "model.type")
        {
            json["model"]!["type"] = kind;
        }
        else
        {
            json[part] = new JsonObject { ["type"] = kind };
        }

        var error = Assert.Throws<TokenizerFormatException>(() => HfTokenizer.FromDirectory(TinyTokenizerJson.Write(json, _dir.Combine(part))));

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Contains(kind, error.Message, StringComparison.Ordinal);
        Assert.EndsWith("tokenizer.json", error.FilePath, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Defects => new()
    {
        { "byte_fallback", "model.byte_fallback" },
        { "lstrip", "added_tokens[0].lstrip" },
        { "merge", "model.merges[2]" },
        { "regex", "pre_tokenizer" },
        { "vocab-id", "model.vocab[\"he\"]" },
        { "split-behavior", "pre_tokenizer.pretokenizers[0].behavior" },
    };

    [Theory]
    [MemberData(nameof(Defects))]
    public void A_defect_fails_naming_the_field(string defect, string field)
    {
        var json = TinyTokenizerJson.Create();
        switch (defect)
        {
            case "byte_fallback": json["model"]!["byte_fallback"] = true; break;
            case "lstrip": json["added_tokens"]![0]!["lstrip"] = true; break;
            case "merge": json["model"]!["merges"]![2] = "he zz"; break;
            case "regex": json["pre_tokenizer"]!["pretokenizers"]![0]!["pattern"]!["Regex"] = "(unclosed"; break;
            case "vocab-id": json["model"]!["vocab"]!["he"] = -3; break;
            case "split-behavior": json["pre_tokenizer"]!["pretokenizers"]![0]!["behavior"] = "MergedWithNext"; break;
        }

        var error = Assert.Throws<TokenizerFormatException>(() => HfTokenizer.FromDirectory(TinyTokenizerJson.Write(json, _dir.Combine(defect))));

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_without_tokenizer_json_fails_naming_the_file()
    {
        var error = Assert.Throws<TokenizerFormatException>(() => HfTokenizer.FromDirectory(_dir.Path));

        Assert.Equal(Path.Combine(_dir.Path, "tokenizer.json"), error.FilePath);
    }

    [Fact]
    public void Text_with_an_unpaired_surrogate_is_refused_with_its_index()
    {
        var tokenizer = HfTokenizer.FromDirectory(TinyTokenizerJson.Write(TinyTokenizerJson.Create(), _dir.Combine("surrogate")));

        var error = Assert.Throws<ArgumentException>(() => tokenizer.Encode("ab\uD83D"));

        Assert.Contains("index 2", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Bounded, seeded mutations of a valid file: every outcome is a loaded tokenizer or a typed error.</summary>
    [Fact]
    public void Mutated_tokenizer_files_load_or_fail_with_a_format_error()
    {
        var original = System.Text.Encoding.UTF8.GetBytes(TinyTokenizerJson.Create().ToJsonString());
        var random = new Random(20240531);
        var outcomes = new Dictionary<string, int>();
        for (var iteration = 0; iteration < 300; iteration++)
        {
            var bytes = Mutate(original, random);
            var folder = _dir.Combine($"fuzz-{iteration}");
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, "tokenizer.json"), bytes);
            try
            {
                HfTokenizer.FromDirectory(folder).Encode("hello world <|end|> 𝐀 12");
                outcomes["loaded"] = outcomes.GetValueOrDefault("loaded") + 1;
            }
            catch (TokenizerFormatException)
            {
                outcomes["rejected"] = outcomes.GetValueOrDefault("rejected") + 1;
            }
        }

        Assert.True(outcomes.GetValueOrDefault("rejected") > 100, $"outcomes: {string.Join(", ", outcomes)}");
    }

    private const string JsonPunctuation = "{}[]\",:0-9e";

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = original.ToList();
        for (var edits = random.Next(1, 4); edits > 0; edits--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes.RemoveRange(at, Math.Min(random.Next(1, 40), bytes.Count - at)); break;
                case 2: bytes.InsertRange(at, bytes.GetRange(random.Next(bytes.Count - 20), 20)); break;
                default: bytes.Insert(at, (byte)JsonPunctuation[random.Next(JsonPunctuation.Length)]); break;
            }
        }

        return [.. bytes];
    }

    public void Dispose() => _dir.Dispose();
}
