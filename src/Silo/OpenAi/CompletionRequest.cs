using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Models;

namespace VerlOrleans.Silo.OpenAi;

/// <summary>A <c>POST /v1/completions</c> body: a text prompt or token ids, and how to sample the continuations.</summary>
/// <param name="Model">Model id from <c>GET /v1/models</c>, or a checkpoint's absolute path.</param>
/// <param name="PromptText">The prompt as text (encoded without special tokens, as <c>verlorleans generate --prompt</c>).</param>
/// <param name="PromptTokenIds">The prompt as token ids, when given so.</param>
/// <param name="Sampling">n, temperature, top_p, top_k, min_p, seed, max_tokens, stop.</param>
/// <param name="Stream">Answer as server-sent events.</param>
/// <param name="IncludeUsage">Send a last chunk with the usage (<c>stream_options.include_usage</c>).</param>
public sealed record CompletionRequest(
    string Model, string? PromptText, IReadOnlyList<int>? PromptTokenIds, SamplingSettings Sampling, bool Stream, bool IncludeUsage)
{
    /// <summary>OpenAI's default <c>max_tokens</c> for completions.</summary>
    public const int DefaultMaxTokens = 16;

    /// <summary>Reads and checks a body; throws <see cref="OpenAiError"/> naming the field at fault.</summary>
    public static CompletionRequest Parse(RequestFields fields)
    {
        var model = fields.RequiredString("model");
        var (text, ids) = Prompt(fields.Raw("prompt"));
        fields.RefuseUnlessOff("logprobs", RequestFields.LogprobsLater);
        fields.RefuseUnlessOff("echo", "echoing the prompt (with its logprobs) comes in a later version of this endpoint");
        fields.RefuseUnsupportedSampling();
        fields.RefuseUnlessOff("suffix", "the grid's models do not fill in the middle");
        var sampling = fields.Sampling(DefaultMaxTokens, "max_tokens");
        if (fields.Integer("best_of", null, 1, int.MaxValue) is { } bestOf && bestOf != sampling.N)
        {
            throw OpenAiError.Unsupported("best_of", "only best_of equal to n (every sample returned)");
        }

        var stream = fields.Bool("stream");
        var includeUsage = fields.IncludeUsage();
        fields.Ignore("user");
        fields.RefuseUnread();
        return new CompletionRequest(model, text, ids, sampling, stream, includeUsage);
    }

    private static (string? Text, IReadOnlyList<int>? Ids) Prompt(JsonNode? prompt)
    {
        switch (prompt)
        {
            case JsonValue v when v.TryGetValue<string>(out var text):
                return text.Length > 0 ? (text, null) : throw OpenAiError.BadField("prompt", "must not be empty");
            case JsonArray { Count: > 0 } a when a.All(t => t is JsonValue n && n.GetValueKind() == JsonValueKind.Number):
                var ids = new List<int>(a.Count);
                foreach (var t in a)
                {
                    if (!t!.AsValue().TryGetValue<int>(out var id) || id < 0)
                    {
                        throw OpenAiError.BadField("prompt", $"holds {t.ToJsonString()}, which is not a token id");
                    }

                    ids.Add(id);
                }

                return (null, ids);
            case JsonArray { Count: 1 } a when a[0] is JsonValue s && s.TryGetValue<string>(out var single):
                return Prompt(JsonValue.Create(single));
            case JsonArray { Count: 1 } a when a[0] is JsonArray inner:
                return Prompt(inner);
            case JsonArray { Count: > 1 } a when a.All(p => p is JsonValue s && s.GetValueKind() == JsonValueKind.String || p is JsonArray):
                throw OpenAiError.Unsupported("prompt", "a batch of several prompts; send one request per prompt (requests on one model are batched by the engine anyway)");
            case null:
                throw OpenAiError.BadField("prompt", "is required: a string or an array of token ids", "missing_required_parameter");
            default:
                throw OpenAiError.BadField("prompt", "must be a string or a non-empty array of token ids");
        }
    }
}
