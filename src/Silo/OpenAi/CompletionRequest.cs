using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Silo.OpenAi;

/// <summary>
/// A <c>POST /v1/completions</c> body: one prompt or a batch (text or token ids each), how to sample the continuations,
/// and what to report with them (<c>logprobs</c>, <c>echo</c>). With <c>echo</c> and <c>logprobs</c>, every prompt token
/// after the first is scored: what lm-evaluation-harness's loglikelihood tasks send (<c>max_tokens</c> 1, or 0 for the
/// prompt alone).
/// </summary>
/// <param name="Model">Model id from <c>GET /v1/models</c>, or a checkpoint's absolute path.</param>
/// <param name="Prompts">The prompts, in request order; choice <c>i·n + k</c> is sample k of prompt i.</param>
/// <param name="Sampling">n, temperature, top_p, top_k, min_p, seed, max_tokens, stop, and the logprob counts.</param>
/// <param name="Echo">Prepend each prompt to its choices' text (and its tokens to their logprobs).</param>
/// <param name="EchoOnly">max_tokens 0: answer the prompt (and its logprobs) alone, generating nothing.</param>
/// <param name="Stream">Answer as server-sent events.</param>
/// <param name="IncludeUsage">Send a last chunk with the usage (<c>stream_options.include_usage</c>).</param>
public sealed record CompletionRequest(
    string Model, IReadOnlyList<CompletionPrompt> Prompts, SamplingSettings Sampling, bool Echo, bool EchoOnly, bool Stream, bool IncludeUsage)
{
    /// <summary>OpenAI's default <c>max_tokens</c> for completions.</summary>
    public const int DefaultMaxTokens = 16;

    /// <summary>The most prompts one request may carry (vLLM takes any number; a bound keeps one request's work finite).</summary>
    public const int MaxPrompts = 256;

    /// <summary>Reads and checks a body; throws <see cref="OpenAiError"/> naming the field at fault.</summary>
    public static CompletionRequest Parse(RequestFields fields)
    {
        var model = fields.RequiredString("model");
        var prompts = ReadPrompts(fields.Raw("prompt"));
        var logprobs = (int?)fields.Integer("logprobs", null, 0, LogprobScorer.MaxTop);
        var echo = fields.Bool("echo");
        fields.RefuseUnsupportedSampling();
        fields.RefuseUnlessOff("suffix", "the grid's models do not fill in the middle");
        // max_tokens 0 only makes sense with echo (score the prompt, generate nothing), as OpenAI allowed it.
        var sampling = fields.Sampling(DefaultMaxTokens, echo ? 0 : 1, "max_tokens");
        var echoOnly = sampling.MaxTokens == 0;
        sampling = sampling with
        {
            // The engine draws at least one token; an echo-only answer drops it.
            MaxTokens = Math.Max(1, sampling.MaxTokens),
            Logprobs = logprobs,
            PromptLogprobs = echo ? logprobs : null,
        };
        if (fields.Integer("best_of", null, 1, int.MaxValue) is { } bestOf && bestOf != sampling.N)
        {
            throw OpenAiError.Unsupported("best_of", "only best_of equal to n (every sample returned)");
        }

        var stream = fields.Bool("stream");
        var includeUsage = fields.IncludeUsage();
        fields.Ignore("user");
        fields.RefuseUnread();
        return new CompletionRequest(model, prompts, sampling, echo, echoOnly, stream, includeUsage);
    }

    private static List<CompletionPrompt> ReadPrompts(JsonNode? prompt)
    {
        switch (prompt)
        {
            case null:
                throw OpenAiError.BadField("prompt", "is required: a string, an array of token ids, or an array of either", "missing_required_parameter");
            case JsonValue:
                return [One(prompt, "prompt")];
            case JsonArray { Count: > 0 } ids when ids.All(t => t is JsonValue n && n.GetValueKind() == JsonValueKind.Number):
                return [One(prompt, "prompt")];
            case JsonArray { Count: > 0 } batch when batch.All(p => p is JsonArray || p is JsonValue s && s.GetValueKind() == JsonValueKind.String):
                return batch.Count <= MaxPrompts
                    ? batch.Select((p, i) => One(p, $"prompt[{i}]")).ToList()
                    : throw OpenAiError.BadField("prompt", $"holds {batch.Count} prompts; at most {MaxPrompts} per request");
            default:
                throw OpenAiError.BadField("prompt", "must be a string, a non-empty array of token ids, or an array of strings or of token-id arrays");
        }
    }

    private static CompletionPrompt One(JsonNode? prompt, string field)
    {
        switch (prompt)
        {
            case JsonValue v when v.TryGetValue<string>(out var text):
                return text.Length > 0 ? new CompletionPrompt(text, null) : throw OpenAiError.BadField(field, "must not be empty");
            case JsonArray { Count: > 0 } a:
                var ids = new List<int>(a.Count);
                foreach (var t in a)
                {
                    if (t is not JsonValue n || n.GetValueKind() != JsonValueKind.Number || !n.TryGetValue<int>(out var id) || id < 0)
                    {
                        throw OpenAiError.BadField(field, $"holds {t?.ToJsonString() ?? "null"}, which is not a token id");
                    }

                    ids.Add(id);
                }

                return new CompletionPrompt(null, ids);
            default:
                throw OpenAiError.BadField(field, "must be a non-empty string or a non-empty array of token ids");
        }
    }
}

/// <summary>One prompt of a completions request: text (encoded without special tokens) or token ids.</summary>
public sealed record CompletionPrompt(string? Text, IReadOnlyList<int>? TokenIds);
