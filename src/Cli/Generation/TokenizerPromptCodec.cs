using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Cli.Generation;

/// <summary>
/// The prompt codec of a Hugging Face model folder: its tokenizer (plain text encodes like
/// <c>encode(text, add_special_tokens=False)</c>) and its chat template (messages render with the generation prompt
/// added, then encode the same way: what verl sends); generated ids decode with special tokens skipped.
/// </summary>
public sealed class TokenizerPromptCodec(HfTokenizer tokenizer, string folder) : IPromptCodec
{
    /// <summary>The codec of <paramref name="modelFolder"/>, or null when the folder has no tokenizer.json.</summary>
    public static TokenizerPromptCodec? Open(string modelFolder) =>
        File.Exists(Path.Combine(modelFolder, "tokenizer.json")) ? new TokenizerPromptCodec(HfTokenizer.FromDirectory(modelFolder), modelFolder) : null;

    public IReadOnlyList<int> EncodePrompt(string text) => tokenizer.Encode(text);

    /// <summary>
    /// <paramref name="messagesJson"/> is a JSON array of chat messages, or an object <c>{"messages": [...], ...}</c>
    /// whose other keys are template variables (<c>tools</c>, <c>enable_thinking</c>, <c>add_generation_prompt</c>).
    /// </summary>
    public IReadOnlyList<int> EncodeMessages(string messagesJson)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(messagesJson);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"the messages are not valid JSON: {e.Message}", nameof(messagesJson), e);
        }

        var (messages, variables) = root switch
        {
            JsonArray array => (array, new Dictionary<string, JsonNode?>()),
            JsonObject o when o["messages"] is JsonArray array => (array, o.Where(p => p.Key != "messages").ToDictionary(p => p.Key, p => p.Value?.DeepClone())),
            _ => throw new ArgumentException("the messages must be a JSON array of {role, content} objects, or an object with a \"messages\" array", nameof(messagesJson)),
        };
        var addGenerationPrompt = true;
        if (variables.Remove("add_generation_prompt", out var add))
        {
            addGenerationPrompt = add is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False
                ? value.GetValue<bool>()
                : throw new ArgumentException("\"add_generation_prompt\" must be true or false", nameof(messagesJson));
        }

        var template = ChatTemplate.FromDirectory(folder, withTools: variables.GetValueOrDefault("tools") is not null);
        return tokenizer.Encode(template.Render((JsonArray)messages.DeepClone(), addGenerationPrompt, variables));
    }

    public string Decode(IReadOnlyList<int> tokenIds) => tokenizer.Decode(tokenIds, skipSpecialTokens: true);
}
