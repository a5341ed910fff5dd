using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Silo.OpenAi;

/// <summary>
/// The JSON of one response in OpenAI's shape, for <c>text_completion</c> (<c>cmpl-…</c>, <c>choices[].text</c>) or
/// <c>chat.completion</c> (<c>chatcmpl-…</c>, <c>choices[].message</c>, streamed as <c>chat.completion.chunk</c> deltas).
/// Every chunk of one stream carries the same id, created time and model. Choice <c>i·n + k</c> is sample k of prompt i.
/// A completion with <c>echo</c> starts with its prompt (text, and tokens in its logprobs); an echo-only one
/// (<c>max_tokens</c> 0) is its prompt alone.
/// </summary>
public sealed class ResponseShape
{
    private readonly LogprobsJson _logprobs;
    private readonly IReadOnlyList<(string Text, IReadOnlyList<int> TokenIds)> _prompts;
    private readonly bool _echo;
    private readonly bool _echoOnly;
    private readonly bool _withLogprobs;
    private readonly Dictionary<int, int> _streamedOffsets = [];

    private ResponseShape(bool chat, string model, TimeProvider clock, HfTokenizer tokenizer, int samplesPerPrompt, bool withLogprobs,
        IReadOnlyList<(string Text, IReadOnlyList<int> TokenIds)> prompts, bool echo, bool echoOnly)
    {
        Chat = chat;
        Model = model;
        Id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");
        Created = clock.GetUtcNow().ToUnixTimeSeconds();
        SamplesPerPrompt = samplesPerPrompt;
        _logprobs = new LogprobsJson(tokenizer);
        _withLogprobs = withLogprobs;
        _prompts = prompts;
        _echo = echo;
        _echoOnly = echoOnly;
    }

    /// <summary>True for chat completions.</summary>
    public bool Chat { get; }

    /// <summary>The response id.</summary>
    public string Id { get; }

    /// <summary>Unix seconds.</summary>
    public long Created { get; }

    /// <summary>The model id as the request's model resolved.</summary>
    public string Model { get; }

    /// <summary>n: choices per prompt.</summary>
    public int SamplesPerPrompt { get; }

    /// <summary>An echo-only request: its generated token is dropped.</summary>
    public bool EchoOnly => _echoOnly;

    /// <summary>A completions response for <paramref name="request"/>, whose prompts read <paramref name="prompts"/> (text as echoed, and ids).</summary>
    public static ResponseShape Completion(string model, TimeProvider clock, HfTokenizer tokenizer, CompletionRequest request, IReadOnlyList<(string Text, IReadOnlyList<int> TokenIds)> prompts) =>
        new(chat: false, model, clock, tokenizer, request.Sampling.N, request.Sampling.Logprobs is not null, prompts, request.Echo, request.EchoOnly);

    /// <summary>A chat response for <paramref name="request"/>.</summary>
    public static ResponseShape ChatCompletion(string model, TimeProvider clock, HfTokenizer tokenizer, ChatCompletionRequest request) =>
        new(chat: true, model, clock, tokenizer, request.Sampling.N, request.Sampling.Logprobs is not null, [], echo: false, echoOnly: false);

    /// <summary>The whole (non-streamed) response to every prompt's reply, in prompt order.</summary>
    public JsonObject Whole(IReadOnlyList<GenerationReply> replies)
    {
        var choices = new JsonArray();
        for (var p = 0; p < replies.Count; p++)
        {
            foreach (var sequence in replies[p].Sequences)
            {
                choices.Add(Chat ? ChatChoice(p, sequence) : CompletionChoice(p, replies[p], sequence));
            }
        }

        var response = Header(Chat ? "chat.completion" : "text_completion");
        response["choices"] = choices;
        response["usage"] = Usage(replies.Sum(r => r.PromptTokenCount), _echoOnly ? 0 : replies.Sum(r => r.Sequences.Sum(s => s.TokenIds.Count)));
        return response;
    }

    /// <summary>The chunk that opens choice <paramref name="index"/> of a chat stream (<c>delta: {role}</c>); null for completions.</summary>
    public JsonObject? Opening(int index) =>
        Chat ? Chunk(new JsonObject { ["index"] = index, ["delta"] = new JsonObject { ["role"] = "assistant", ["content"] = "" }, ["logprobs"] = null, ["finish_reason"] = null }) : null;

    /// <summary>
    /// A streamed chunk of prompt <paramref name="prompt"/>'s choice, or null when it adds nothing: the text and tokens
    /// it adds (after the echoed prompt, on a completion choice's first chunk) and its finish reason on its last chunk.
    /// </summary>
    public JsonObject? Delta(int prompt, GenerationChunk chunk)
    {
        var index = (prompt * SamplesPerPrompt) + chunk.SequenceIndex;
        var text = _echoOnly ? "" : chunk.Text ?? "";
        var finish = _echoOnly ? (chunk.FinishReason is null ? null : "length") : chunk.FinishReason;
        List<(int, TokenLogprobs?)> entries = [];
        var first = !_streamedOffsets.ContainsKey(index);
        if (first && _echo)
        {
            text = _prompts[prompt].Text + text;
            entries.AddRange(PromptEntries(prompt, chunk.PromptLogprobs));
        }

        if (!_echoOnly && chunk.Logprobs is { } generated)
        {
            entries.AddRange(generated.Select(l => (l.TokenId, (TokenLogprobs?)l)));
        }

        if (text.Length == 0 && finish is null && entries.Count == 0)
        {
            return null;
        }

        JsonObject choice;
        if (Chat)
        {
            choice = new JsonObject { ["index"] = index, ["delta"] = text.Length > 0 ? new JsonObject { ["content"] = text } : new JsonObject() };
            choice["logprobs"] = _withLogprobs && chunk.Logprobs is { } chatScores ? _logprobs.Chat(chatScores) : null;
        }
        else
        {
            choice = new JsonObject { ["index"] = index, ["text"] = text };
            _streamedOffsets.TryGetValue(index, out var offset);
            JsonObject? logprobs = null;
            if (_withLogprobs)
            {
                (logprobs, offset) = _logprobs.Completion(entries, offset);
            }

            _streamedOffsets[index] = offset;
            choice["logprobs"] = logprobs;
        }

        _streamedOffsets.TryAdd(index, 0);
        choice["finish_reason"] = finish;
        return Chunk(choice);
    }

    /// <summary>The last chunk of a stream that asked for usage: no choices, only the counts.</summary>
    public JsonObject UsageChunk(int promptTokens, int completionTokens)
    {
        var chunk = Header(Chat ? "chat.completion.chunk" : "text_completion");
        chunk["choices"] = new JsonArray();
        chunk["usage"] = Usage(promptTokens, _echoOnly ? 0 : completionTokens);
        return chunk;
    }

    private JsonObject ChatChoice(int prompt, GeneratedSequence sequence) => new()
    {
        ["index"] = (prompt * SamplesPerPrompt) + sequence.Index,
        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = sequence.Text },
        ["logprobs"] = _withLogprobs && sequence.Logprobs is { } scores ? _logprobs.Chat(scores) : null,
        ["finish_reason"] = sequence.FinishReason,
    };

    private JsonObject CompletionChoice(int prompt, GenerationReply reply, GeneratedSequence sequence)
    {
        List<(int, TokenLogprobs?)> entries = [];
        if (_echo)
        {
            entries.AddRange(PromptEntries(prompt, reply.PromptLogprobs));
        }

        if (!_echoOnly && sequence.Logprobs is { } generated)
        {
            entries.AddRange(generated.Select(l => (l.TokenId, (TokenLogprobs?)l)));
        }

        return new JsonObject
        {
            ["index"] = (prompt * SamplesPerPrompt) + sequence.Index,
            ["text"] = (_echo ? _prompts[prompt].Text : "") + (_echoOnly ? "" : sequence.Text),
            ["logprobs"] = _withLogprobs ? _logprobs.Completion(entries, 0).Json : null,
            ["finish_reason"] = _echoOnly ? "length" : sequence.FinishReason,
        };
    }

    /// <summary>Prompt <paramref name="prompt"/>'s tokens with their scores (the first token has none).</summary>
    private IEnumerable<(int, TokenLogprobs?)> PromptEntries(int prompt, IReadOnlyList<TokenLogprobs?>? scores) =>
        _prompts[prompt].TokenIds.Select((id, i) => (id, scores is not null && i < scores.Count ? scores[i] : null));

    private JsonObject Chunk(JsonObject choice)
    {
        var chunk = Header(Chat ? "chat.completion.chunk" : "text_completion");
        chunk["choices"] = new JsonArray(choice);
        return chunk;
    }

    private JsonObject Header(string kind) => new()
    {
        ["id"] = Id,
        ["object"] = kind,
        ["created"] = Created,
        ["model"] = Model,
    };

    private static JsonObject Usage(int prompt, int completion) => new()
    {
        ["prompt_tokens"] = prompt,
        ["completion_tokens"] = completion,
        ["total_tokens"] = prompt + completion,
    };
}
