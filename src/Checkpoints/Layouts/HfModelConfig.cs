using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Checkpoints.Layouts;

/// <summary>
/// The parts of a Hugging Face <c>config.json</c> that fix parameter shapes (vocabulary, hidden and MLP sizes,
/// heads, layers) plus <c>tie_word_embeddings</c> and the dtype field. Vision-language configs keep these under
/// <c>text_config</c>; that is read when the top level lacks them.
/// </summary>
public sealed class HfModelConfig
{
    private HfModelConfig(string path, JsonObject root)
    {
        Path = path;
        Root = root;
        var text = root["text_config"] as JsonObject;
        long? Int(string name) => ReadInt(root, name) ?? (text is null ? null : ReadInt(text, name));
        VocabSize = Int("vocab_size");
        HiddenSize = Int("hidden_size");
        IntermediateSize = Int("intermediate_size");
        NumHiddenLayers = Int("num_hidden_layers");
        NumAttentionHeads = Int("num_attention_heads");
        NumKeyValueHeads = Int("num_key_value_heads") ?? NumAttentionHeads;
        HeadDim = Int("head_dim") ?? (HiddenSize is { } h && NumAttentionHeads is > 0 and var n ? h / n : null);
        TieWordEmbeddings = ReadBool(root, "tie_word_embeddings") ?? (text is null ? null : ReadBool(text, "tie_word_embeddings")) ?? false;
        ModelType = root["model_type"]?.GetValueKind() == JsonValueKind.String ? root["model_type"]!.GetValue<string>() : null;
    }

    public string Path { get; }

    /// <summary>The whole document, for rewriting (key order preserved).</summary>
    public JsonObject Root { get; }

    public long? VocabSize { get; }

    public long? HiddenSize { get; }

    public long? IntermediateSize { get; }

    public long? NumHiddenLayers { get; }

    public long? NumAttentionHeads { get; }

    public long? NumKeyValueHeads { get; }

    public long? HeadDim { get; }

    public bool TieWordEmbeddings { get; }

    public string? ModelType { get; }

    /// <summary>Reads <paramref name="path"/>; malformed JSON throws <see cref="CheckpointFormatException"/>.</summary>
    public static HfModelConfig Load(string path)
    {
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
            return node is JsonObject root ? new HfModelConfig(path, root) : throw new CheckpointFormatException(path, "config.json is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"not valid JSON: {e.Message}", e);
        }
    }

    private static long? ReadInt(JsonObject obj, string name) =>
        obj[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out var result) ? result : null;

    private static bool? ReadBool(JsonObject obj, string name) =>
        obj[name] is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? value.GetValue<bool>() : null;
}
