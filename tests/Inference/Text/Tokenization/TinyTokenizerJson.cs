using System.Text.Json.Nodes;

namespace VerlOrleans.Inference.Tests.Text.Tokenization;

/// <summary>
/// A small byte-level BPE tokenizer.json in the shape Qwen's has (256 byte tokens, a few merges, one added
/// token, NFC, Qwen's split regex), for tests that edit single fields.
/// </summary>
internal static class TinyTokenizerJson
{
    public const string QwenPattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public static JsonObject Create()
    {
        var vocab = new JsonObject();
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            vocab[printable ? ((char)b).ToString() : ((char)next++).ToString()] = b;
        }

        string[] merged = ["he", "ll", "hell", "hello", "Ġw", "Ġwo"];
        for (var i = 0; i < merged.Length; i++)
        {
            vocab[merged[i]] = 256 + i;
        }

        return new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(AddedToken(300, "<|end|>", special: true), AddedToken(301, "<tool>", special: false)),
            ["normalizer"] = new JsonObject { ["type"] = "NFC" },
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = QwenPattern }, ["behavior"] = "Isolated", ["invert"] = false },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false }),
            },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["byte_fallback"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray("h e", "l l", "he ll", "hell o", "Ġ w", "Ġw o"),
            },
        };
    }

    public static JsonObject AddedToken(int id, string content, bool special) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false,
        ["rstrip"] = false, ["normalized"] = false, ["special"] = special,
    };

    public static string Write(JsonNode tokenizerJson, string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), tokenizerJson.ToJsonString());
        return directory;
    }
}
