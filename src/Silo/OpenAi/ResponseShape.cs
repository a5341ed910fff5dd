using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Models;

namespace VerlOrleans.Silo.OpenAi;

/// <summary>
/// The JSON of one response in OpenAI's shape, for <c>text_completion</c> (<c>cmpl-…</c>, <c>choices[].text</c>) or
/// <c>chat.completion</c> (<c>chatcmpl-…</c>, <c>choices[].message</c>, streamed as <c>chat.completion.chunk</c> deltas).
/// Every chunk of one stream carries the same id, created time and model.
/// </summary>
public sealed class ResponseShape
{
    private ResponseShape(bool chat, string model, TimeProvider clock)
    {
        Chat = chat;
        Model = model;
        Id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");
        Created = clock.GetUtcNow().ToUnixTimeSeconds();
    }

    /// <summary>True for chat completions.</summary>
    public bool Chat { get; }

    /// <summary>The response id.</summary>
    public string Id { get; }

    /// <summary>Unix seconds.</summary>
    public long Created { get; }

    /// <summary>The model id as the request's model resolved.</summary>
    public string Model { get; }

    public static ResponseShape Completion(string model, TimeProvider clock) => new(chat: false, model, clock);

    public static ResponseShape ChatCompletion(string model, TimeProvider clock) => new(chat: true, model, clock);

    /// <summary>The whole (non-streamed) response.</summary>
    public JsonObject Whole(GenerationReply reply)
    {
        var choices = new JsonArray();
        foreach (var sequence in reply.Sequences)
        {
            choices.Add(Chat
                ? new JsonObject
                {
                    ["index"] = sequence.Index,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = sequence.Text },
                    ["logprobs"] = null,
                    ["finish_reason"] = sequence.FinishReason,
                }
                : new JsonObject
                {
                    ["index"] = sequence.Index,
                    ["text"] = sequence.Text,
                    ["logprobs"] = null,
                    ["finish_reason"] = sequence.FinishReason,
                });
        }

        var response = Header(Chat ? "chat.completion" : "text_completion");
        response["choices"] = choices;
        response["usage"] = Usage(reply.PromptTokenCount, reply.Sequences.Sum(s => s.TokenIds.Count));
        return response;
    }

    /// <summary>The chunk that opens choice <paramref name="index"/> of a chat stream (<c>delta: {role}</c>); null for completions.</summary>
    public JsonObject? Opening(int index) =>
        Chat ? Chunk(new JsonObject { ["index"] = index, ["delta"] = new JsonObject { ["role"] = "assistant", ["content"] = "" }, ["logprobs"] = null, ["finish_reason"] = null }) : null;

    /// <summary>A streamed chunk: text added to choice <paramref name="index"/>, and its finish reason on its last chunk.</summary>
    public JsonObject Delta(int index, string? text, string? finishReason)
    {
        JsonObject choice = Chat
            ? new JsonObject { ["index"] = index, ["delta"] = text is { Length: > 0 } ? new JsonObject { ["content"] = text } : new JsonObject() }
            : new JsonObject { ["index"] = index, ["text"] = text ?? "" };
        choice["logprobs"] = null;
        choice["finish_reason"] = finishReason;
        return Chunk(choice);
    }

    /// <summary>The last chunk of a stream that asked for usage: no choices, only the counts.</summary>
    public JsonObject UsageChunk(int promptTokens, int completionTokens)
    {
        var chunk = Header(Chat ? "chat.completion.chunk" : "text_completion");
        chunk["choices"] = new JsonArray();
        chunk["usage"] = Usage(promptTokens, completionTokens);
        return chunk;
    }

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
