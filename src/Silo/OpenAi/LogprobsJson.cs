using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Silo.OpenAi;

/// <summary>
/// Log-probabilities in OpenAI's two shapes. Completions: parallel lists <c>tokens</c>, <c>token_logprobs</c>,
/// <c>top_logprobs</c> (token text → logprob, holding the chosen token too, so up to k + 1 entries, as OpenAI and vLLM
/// answer) and <c>text_offset</c>; a prompt's first token has null scores. Chat: <c>content</c>, one object per token
/// with its text, logprob, UTF-8 bytes and <c>top_logprobs</c>. Token text is the token decoded alone.
/// </summary>
public sealed class LogprobsJson(HfTokenizer tokenizer)
{
    /// <summary>
    /// The completions object for <paramref name="entries"/>, whose first token starts at character
    /// <paramref name="textOffset"/> of the choice's text; returns the offset after the last token too.
    /// </summary>
    public (JsonObject Json, int NextOffset) Completion(IReadOnlyList<(int TokenId, TokenLogprobs? Scores)> entries, int textOffset)
    {
        var tokens = new JsonArray();
        var logprobs = new JsonArray();
        var tops = new JsonArray();
        var offsets = new JsonArray();
        foreach (var (id, scores) in entries)
        {
            var text = Text(id);
            tokens.Add(text);
            logprobs.Add(scores is null ? null : JsonValue.Create(scores.Logprob));
            tops.Add(scores is null ? null : TopDictionary(scores));
            offsets.Add(textOffset);
            textOffset += text.Length;
        }

        return (new JsonObject { ["tokens"] = tokens, ["token_logprobs"] = logprobs, ["top_logprobs"] = tops, ["text_offset"] = offsets }, textOffset);
    }

    /// <summary>The chat object (<c>{content: [...], refusal: null}</c>) for generated tokens.</summary>
    public JsonObject Chat(IReadOnlyList<TokenLogprobs> entries)
    {
        var content = new JsonArray();
        foreach (var scores in entries)
        {
            var top = new JsonArray();
            for (var j = 0; j < scores.TopIds.Count; j++)
            {
                top.Add(ChatToken(scores.TopIds[j], scores.TopLogprobs[j]));
            }

            var token = ChatToken(scores.TokenId, scores.Logprob);
            token["top_logprobs"] = top;
            content.Add(token);
        }

        return new JsonObject { ["content"] = content, ["refusal"] = null };
    }

    private JsonObject TopDictionary(TokenLogprobs scores)
    {
        var top = new JsonObject();
        for (var j = 0; j < scores.TopIds.Count; j++)
        {
            // Two ids that decode alike (two halves of characters) keep the likelier one, as a JSON object must.
            top.TryAdd(Text(scores.TopIds[j]), scores.TopLogprobs[j]);
        }

        top.TryAdd(Text(scores.TokenId), scores.Logprob);
        return top;
    }

    private JsonObject ChatToken(int id, float logprob) => new()
    {
        ["token"] = Text(id),
        ["logprob"] = logprob,
        ["bytes"] = new JsonArray(tokenizer.IsKnown(id) ? tokenizer.TokenBytes(id).ToArray().Select(b => (JsonNode)(int)b).ToArray() : []),
    };

    private string Text(int id) => tokenizer.Decode([id]);
}
