using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Inference.Text.Tokenization;

/// <summary>
/// What transformers reads next to tokenizer.json: <c>tokenizer_config.json</c> (special tokens, clean-up flag,
/// chat template), <c>special_tokens_map.json</c> (whose entries win over the config's, as in transformers) and
/// <c>generation_config.json</c> (the EOS id or ids that end generation). Every file is optional.
/// </summary>
public sealed class TokenizerConfig
{
    /// <summary>The special-token names transformers exposes to chat templates, in its order.</summary>
    public static readonly IReadOnlyList<string> SpecialTokenNames =
        ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];

    private const long MaxConfigBytes = 64L * 1024 * 1024;

    private TokenizerConfig(
        IReadOnlyDictionary<string, string> specialTokens,
        IReadOnlyList<string> additionalSpecialTokens,
        bool cleanUpTokenizationSpaces,
        IReadOnlyList<int>? generationEosTokenIds,
        JsonNode? chatTemplate,
        string? configPath)
    {
        SpecialTokens = specialTokens;
        AdditionalSpecialTokens = additionalSpecialTokens;
        CleanUpTokenizationSpaces = cleanUpTokenizationSpaces;
        GenerationEosTokenIds = generationEosTokenIds;
        ChatTemplate = chatTemplate;
        ConfigPath = configPath;
    }

    /// <summary>Named special tokens that are set (<c>bos_token</c>, <c>eos_token</c>, ...), by name.</summary>
    public IReadOnlyDictionary<string, string> SpecialTokens { get; }

    /// <summary><c>additional_special_tokens</c>, as token strings.</summary>
    public IReadOnlyList<string> AdditionalSpecialTokens { get; }

    /// <summary><c>clean_up_tokenization_spaces</c>; absent means false, transformers' current default.</summary>
    public bool CleanUpTokenizationSpaces { get; }

    /// <summary><c>eos_token_id</c> of generation_config.json (an int or a list), or null without that file or key.</summary>
    public IReadOnlyList<int>? GenerationEosTokenIds { get; }

    /// <summary>The raw <c>chat_template</c> entry of tokenizer_config.json: a string, a list of named templates, or null.</summary>
    public JsonNode? ChatTemplate { get; }

    /// <summary>The tokenizer_config.json that was read, or null when the folder has none.</summary>
    public string? ConfigPath { get; }

    public string? BosToken => SpecialTokens.GetValueOrDefault("bos_token");

    public string? EosToken => SpecialTokens.GetValueOrDefault("eos_token");

    public string? PadToken => SpecialTokens.GetValueOrDefault("pad_token");

    public static TokenizerConfig FromDirectory(string directory)
    {
        try
        {
            return Read(directory);
        }
        catch (InvalidOperationException e)
        {
            // JsonNode validates values lazily (a number where a string belongs, invalid UTF-8 in a string).
            throw new TokenizerFormatException(directory, $"a tokenizer config file holds a malformed value: {e.Message}", e);
        }
    }

    private static TokenizerConfig Read(string directory)
    {
        var configPath = Path.Combine(directory, "tokenizer_config.json");
        var config = ReadObject(configPath);
        var specialTokens = new Dictionary<string, string>(StringComparer.Ordinal);
        var additional = new List<string>();
        var cleanUp = false;
        JsonNode? chatTemplate = null;
        if (config is not null)
        {
            ReadSpecialTokens(configPath, config, specialTokens, additional);
            cleanUp = config["clean_up_tokenization_spaces"] switch
            {
                null => false,
                JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
                _ => throw new TokenizerFormatException(configPath, "clean_up_tokenization_spaces: expected true or false"),
            };
            chatTemplate = config["chat_template"]?.DeepClone();
        }

        var mapPath = Path.Combine(directory, "special_tokens_map.json");
        if (ReadObject(mapPath) is { } map)
        {
            ReadSpecialTokens(mapPath, map, specialTokens, additional);
        }

        var generationPath = Path.Combine(directory, "generation_config.json");
        var generationEos = ReadObject(generationPath) is { } generation ? ReadEosIds(generationPath, generation["eos_token_id"]) : null;
        return new TokenizerConfig(specialTokens, additional, cleanUp, generationEos, chatTemplate, config is null ? null : configPath);
    }

    private static JsonObject? ReadObject(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        if (new FileInfo(path).Length > MaxConfigBytes)
        {
            throw new TokenizerFormatException(path, $"larger than {MaxConfigBytes} bytes");
        }

        try
        {
            using var stream = File.OpenRead(path);
            return JsonNode.Parse(stream, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) as JsonObject
                ?? throw new TokenizerFormatException(path, "the top level is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(path, $"not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Sets each special token the file names; a later file overrides an earlier one, key by key.</summary>
    private static void ReadSpecialTokens(string path, JsonObject file, Dictionary<string, string> specialTokens, List<string> additional)
    {
        foreach (var name in SpecialTokenNames)
        {
            if (!file.TryGetPropertyValue(name, out var node))
            {
                continue;
            }

            var token = TokenContent(path, name, node);
            if (token is null)
            {
                specialTokens.Remove(name);
            }
            else
            {
                specialTokens[name] = token;
            }
        }

        if (file["additional_special_tokens"] is { } list)
        {
            if (list is not JsonArray array)
            {
                throw new TokenizerFormatException(path, "additional_special_tokens: expected a list");
            }

            additional.Clear();
            for (var i = 0; i < array.Count; i++)
            {
                additional.Add(TokenContent(path, $"additional_special_tokens[{i}]", array[i])
                    ?? throw new TokenizerFormatException(path, $"additional_special_tokens[{i}]: null"));
            }
        }
    }

    /// <summary>A special token is a string or an AddedToken object (<c>{"content": ...}</c>).</summary>
    private static string? TokenContent(string path, string field, JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonObject added when added["content"] is JsonValue content && content.GetValueKind() == JsonValueKind.String => content.GetValue<string>(),
        _ => throw new TokenizerFormatException(path, $"{field}: expected a string or an object with a \"content\" string"),
    };

    private static List<int>? ReadEosIds(string path, JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonValue value when value.TryGetValue<int>(out var id) && id >= 0:
                return [id];
            case JsonArray array:
                var ids = new List<int>(array.Count);
                for (var i = 0; i < array.Count; i++)
                {
                    ids.Add(array[i] is JsonValue item && item.TryGetValue<int>(out var each) && each >= 0
                        ? each
                        : throw new TokenizerFormatException(path, $"eos_token_id[{i}]: expected a non-negative integer"));
                }

                return ids;
            default:
                throw new TokenizerFormatException(path, "eos_token_id: expected a non-negative integer or a list of them");
        }
    }
}
