using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Silo.OpenAi;

/// <summary>A <c>POST /v1/chat/completions</c> body: messages for the checkpoint's chat template, and how to sample.</summary>
/// <param name="Model">Model id from <c>GET /v1/models</c>, or a checkpoint's absolute path.</param>
/// <param name="Messages">The conversation: objects with a string <c>role</c> and <c>content</c>, as the template reads them.</param>
/// <param name="ChatTemplateKwargs">Variables for the template (<c>{"enable_thinking": false}</c>), as verl's apply_chat_template_kwargs.</param>
/// <param name="Sampling">n, temperature, top_p, top_k, min_p, seed, max_tokens / max_completion_tokens, stop, and logprobs / top_logprobs.</param>
/// <param name="Stream">Answer as server-sent events.</param>
/// <param name="IncludeUsage">Send a last chunk with the usage (<c>stream_options.include_usage</c>).</param>
public sealed record ChatCompletionRequest(
    string Model, JsonArray Messages, IReadOnlyDictionary<string, JsonNode?> ChatTemplateKwargs, SamplingSettings Sampling, bool Stream, bool IncludeUsage)
{
    /// <summary>
    /// <c>max_tokens</c> when the request gives none (OpenAI's is "up to the context"; the grid's runs default to 512
    /// as well).
    /// </summary>
    public const int DefaultMaxTokens = 512;

    /// <summary>Reads and checks a body; throws <see cref="OpenAiError"/> naming the field at fault.</summary>
    public static ChatCompletionRequest Parse(RequestFields fields)
    {
        var model = fields.RequiredString("model");
        var messages = ReadMessages(fields.Raw("messages"));
        var kwargs = fields.Raw("chat_template_kwargs") switch
        {
            null => new Dictionary<string, JsonNode?>(StringComparer.Ordinal),
            JsonObject o when o.ToJsonString().Length <= SpecValidation.MaxChatTemplateKwargsLength =>
                o.ToDictionary(p => p.Key, p => p.Value?.DeepClone(), StringComparer.Ordinal),
            _ => throw OpenAiError.BadField("chat_template_kwargs", $"must be a JSON object of at most {SpecValidation.MaxChatTemplateKwargsLength} characters, e.g. {{\"enable_thinking\": false}}"),
        };
        var logprobs = fields.Bool("logprobs");
        var top = (int?)fields.Integer("top_logprobs", null, 0, LogprobScorer.MaxTop);
        if (top is not null && !logprobs)
        {
            throw OpenAiError.BadField("top_logprobs", "needs logprobs: true");
        }

        fields.RefuseUnsupportedSampling();
        fields.RefuseUnlessOff("tools", "tool calls are not parsed by this endpoint");
        fields.RefuseUnlessOff("response_format", "structured output is not supported");
        var sampling = fields.Sampling(DefaultMaxTokens, 1, "max_completion_tokens", "max_tokens") with { Logprobs = logprobs ? top ?? 0 : null };
        var stream = fields.Bool("stream");
        var includeUsage = fields.IncludeUsage();
        fields.Ignore("user");
        fields.RefuseUnread();
        return new ChatCompletionRequest(model, messages, kwargs, sampling, stream, includeUsage);
    }

    private static JsonArray ReadMessages(JsonNode? node)
    {
        if (node is not JsonArray { Count: > 0 } messages)
        {
            throw OpenAiError.BadField("messages", "is required: a non-empty array of {role, content} objects", node is null ? "missing_required_parameter" : "invalid_value");
        }

        var copy = new JsonArray();
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not JsonObject message
                || message["role"] is not JsonValue role || !role.TryGetValue<string>(out var roleName) || roleName.Length == 0)
            {
                throw OpenAiError.BadField($"messages[{i}]", "must be an object with a string 'role'");
            }

            var content = message["content"] switch
            {
                JsonValue v when v.TryGetValue<string>(out var text) => text,
                JsonArray parts when parts.All(p => p is JsonObject o && o["type"]?.GetValue<string>() == "text" && o["text"] is JsonValue) =>
                    string.Concat(parts.Select(p => p!["text"]!.GetValue<string>())),
                null when message["content"] is null => throw OpenAiError.BadField($"messages[{i}].content", "is required (a string)"),
                _ => throw OpenAiError.BadField($"messages[{i}].content", "must be a string or an array of text parts"),
            };
            var rendered = (JsonObject)message.DeepClone();
            rendered["content"] = content;
            if (rendered["content"]!.GetValueKind() != JsonValueKind.String)
            {
                throw OpenAiError.BadField($"messages[{i}].content", "must be a string");
            }

            copy.Add(rendered);
        }

        return copy;
    }
}
