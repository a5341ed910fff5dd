using System.Net;
using System.Text.Json.Nodes;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests.OpenAi;

/// <summary>
/// <c>logprobs</c>, <c>echo</c> and batches of prompts on <c>/v1</c>, against a real silo serving the tiny chat model and
/// PyTorch's log-probabilities for it (tests/Fixtures/tiny-chat.logprobs.json, tools/inference/make_logprob_fixtures.py):
/// prompt logprobs (echo) and drawn tokens' within <see cref="Tolerance"/>, OpenAI's completions and chat shapes, streams
/// that add up to the whole response, and several prompts in one request each answered as alone.
/// </summary>
public sealed class OpenAiLogprobsTests(OpenAiSilo fixture) : IClassFixture<OpenAiSilo>
{
    private const double Tolerance = 1e-4;

    private static LogprobReference Reference => LogprobReference.TinyChat;

    [Fact]
    public async Task Echo_with_max_tokens_zero_scores_every_prompt_token_as_pytorch_does()
    {
        var expected = Reference.Cases[1];
        var response = await CompleteAsync(new JsonObject
        {
            ["model"] = "tiny-chat", ["prompt"] = Ids(expected.Ids), ["max_tokens"] = 0, ["echo"] = true, ["logprobs"] = 5, ["temperature"] = 0,
        });

        var choice = Assert.Single(response["choices"]!.AsArray())!;
        Assert.Equal("length", choice["finish_reason"]!.GetValue<string>());
        Assert.Equal(0, response["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.Equal(expected.Ids.Count, response["usage"]!["prompt_tokens"]!.GetValue<int>());
        var logprobs = choice["logprobs"]!;
        var tokens = logprobs["tokens"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        var values = logprobs["token_logprobs"]!.AsArray();
        var tops = logprobs["top_logprobs"]!.AsArray();
        var offsets = logprobs["text_offset"]!.AsArray().Select(o => o!.GetValue<int>()).ToList();
        Assert.Equal(expected.Ids.Count, tokens.Count);
        Assert.Null(values[0]);
        Assert.Null(tops[0]);
        // The echoed text is the prompt's, and each token starts where the ones before it end.
        Assert.Equal(string.Concat(tokens), choice["text"]!.GetValue<string>());
        Assert.Equal(tokens.Select((t, i) => tokens.Take(i).Sum(p => p.Length)), offsets);
        foreach (var position in expected.Positions)
        {
            Assert.True(Math.Abs(position.Logprob - values[position.Position]!.GetValue<double>()) <= Tolerance,
                $"position {position.Position}: {values[position.Position]} vs PyTorch {position.Logprob}");
            var top = tops[position.Position]!.AsObject();
            // k alternatives and the token itself, fewer where two decode to the same text (halves of characters).
            Assert.InRange(top.Count, 1, 6);
            // The most likely alternative, as PyTorch ranks it.
            Assert.Equal(position.TopLogprobs[0], top.Max(e => e.Value!.GetValue<double>()), Tolerance);
            Assert.Contains(tokens[position.Position], top.Select(e => e.Key));
        }
    }

    [Fact]
    public async Task Drawn_tokens_carry_their_logprobs_and_the_echo_puts_the_prompt_first()
    {
        var expected = Reference.Cases[2];
        var prompt = expected.Ids.Take(expected.PromptLength).ToList();
        var generated = expected.Ids.Count - expected.PromptLength;
        var plain = await CompleteAsync(new JsonObject { ["model"] = "tiny-chat", ["prompt"] = Ids(prompt), ["max_tokens"] = generated, ["logprobs"] = 3, ["temperature"] = 0 });
        var echoed = await CompleteAsync(new JsonObject { ["model"] = "tiny-chat", ["prompt"] = Ids(prompt), ["max_tokens"] = generated, ["logprobs"] = 3, ["echo"] = true, ["temperature"] = 0 });

        var logprobs = plain["choices"]![0]!["logprobs"]!;
        var values = logprobs["token_logprobs"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
        Assert.Equal(generated, values.Count);
        for (var k = 0; k < generated; k++)
        {
            Assert.Equal(expected.Positions[expected.PromptLength - 1 + k].Logprob, values[k], Tolerance);
        }

        Assert.Equal(0, logprobs["text_offset"]![0]!.GetValue<int>());
        Assert.All(logprobs["top_logprobs"]!.AsArray(), t => Assert.InRange(t!.AsObject().Count, 1, 4));
        Assert.Contains(logprobs["top_logprobs"]!.AsArray(), t => t!.AsObject().Count >= 3);

        var echo = echoed["choices"]![0]!;
        var echoValues = echo["logprobs"]!["token_logprobs"]!.AsArray();
        Assert.Equal(expected.Ids.Count, echoValues.Count);
        // The same tokens' values (computed with the prompt's rows in the same product, so within float rounding).
        Assert.All(echoValues.Skip(expected.PromptLength).Select((v, k) => (Echoed: v!.GetValue<double>(), Plain: values[k])), p => Assert.Equal(p.Plain, p.Echoed, 1e-5));
        Assert.Equal(expected.Positions[0].Logprob, echoValues[1]!.GetValue<double>(), Tolerance);
        Assert.EndsWith(plain["choices"]![0]!["text"]!.GetValue<string>(), echo["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(generated, echoed["usage"]!["completion_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_chat_reports_each_tokens_logprob_bytes_and_top_alternatives()
    {
        var chatCase = TinyChatModel.Reference.Case("gsm8k-row-0");
        var expected = Reference.Cases.Single(c => c.Name == chatCase.Name);
        var response = await CompleteAsync(new JsonObject
        {
            ["model"] = "tiny-chat", ["messages"] = chatCase.Messages.DeepClone(), ["max_tokens"] = chatCase.GreedyIds.Count, ["temperature"] = 0,
            ["logprobs"] = true, ["top_logprobs"] = 2,
        }, "v1/chat/completions");

        var content = response["choices"]![0]!["logprobs"]!["content"]!.AsArray();
        Assert.Equal(chatCase.GreedyIds.Count, content.Count);
        for (var k = 0; k < content.Count; k++)
        {
            var token = content[k]!;
            Assert.Equal(expected.Positions[expected.PromptLength - 1 + k].Logprob, token["logprob"]!.GetValue<double>(), Tolerance);
            var top = token["top_logprobs"]!.AsArray();
            Assert.Equal(2, top.Count);
            // Greedy: the token is the most likely one.
            Assert.Equal(top[0]!["logprob"]!.GetValue<double>(), token["logprob"]!.GetValue<double>());
            Assert.NotEmpty(token["bytes"]!.AsArray());
        }

        // The generated tokens' bytes spell the answer (the end-of-turn token, a special one, is not part of the text).
        var bytes = content.Take(content.Count - (chatCase.FinishReason == "stop" ? 1 : 0)).SelectMany(t => t!["bytes"]!.AsArray().Select(b => (byte)b!.GetValue<int>())).ToArray();
        Assert.Equal(response["choices"]![0]!["message"]!["content"]!.GetValue<string>(), System.Text.Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task A_stream_with_echo_and_logprobs_adds_up_to_the_whole_response()
    {
        var expected = Reference.Cases[0];
        var request = new JsonObject
        {
            ["model"] = "tiny-chat", ["prompt"] = Ids(expected.Ids.Take(expected.PromptLength)), ["max_tokens"] = 6, ["logprobs"] = 2, ["echo"] = true, ["temperature"] = 0,
        };
        var whole = (await CompleteAsync((JsonObject)request.DeepClone()))["choices"]![0]!;
        request["stream"] = true;
        var (status, _, events) = await fixture.StreamAsync("v1/completions", request);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonNode.Parse(e)!["choices"]![0]!).ToList();
        Assert.Equal(whole["text"]!.GetValue<string>(), string.Concat(chunks.Select(c => c["text"]!.GetValue<string>())));
        foreach (var field in new[] { "tokens", "token_logprobs", "text_offset", "top_logprobs" })
        {
            var streamed = new JsonArray(chunks.Where(c => c["logprobs"] is not null).SelectMany(c => c["logprobs"]![field]!.AsArray().Select(v => v?.DeepClone())).ToArray());
            Assert.Equal(whole["logprobs"]![field]!.ToJsonString(), streamed.ToJsonString());
        }

        Assert.Equal(whole["finish_reason"]!.GetValue<string>(), chunks[^1]["finish_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Several_prompts_in_one_request_are_answered_each_as_alone_in_index_order()
    {
        var reference = TinyChatModel.Reference;
        var texts = reference.Cases.Select(c => c.PromptText).ToList();
        var batch = new JsonArray(Ids(reference.Cases[0].PromptIds), texts[1], texts[2]);
        var request = new JsonObject { ["model"] = "tiny-chat", ["prompt"] = batch, ["max_tokens"] = 8, ["n"] = 2, ["temperature"] = 0.8, ["seed"] = 7 };

        var together = await CompleteAsync((JsonObject)request.DeepClone());
        var alone = new List<JsonNode>();
        for (var i = 0; i < 3; i++)
        {
            var one = (JsonObject)request.DeepClone();
            one["prompt"] = batch[i]!.DeepClone();
            alone.Add(await CompleteAsync(one));
        }

        var choices = together["choices"]!.AsArray();
        Assert.Equal(Enumerable.Range(0, 6), choices.Select(c => c!["index"]!.GetValue<int>()));
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(alone[i / 2]["choices"]![i % 2]!["text"]!.GetValue<string>(), choices[i]!["text"]!.GetValue<string>());
        }

        Assert.Equal(alone.Sum(a => a["usage"]!["prompt_tokens"]!.GetValue<int>()), together["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(alone.Sum(a => a["usage"]!["completion_tokens"]!.GetValue<int>()), together["usage"]!["completion_tokens"]!.GetValue<int>());

        // Streamed, the prompts' chunks interleave; each choice's text still adds up.
        request["stream"] = true;
        var (_, _, events) = await fixture.StreamAsync("v1/completions", request);
        var streamed = events[..^1].Select(e => JsonNode.Parse(e)!["choices"]![0]!).GroupBy(c => c["index"]!.GetValue<int>())
            .ToDictionary(g => g.Key, g => string.Concat(g.Select(c => c["text"]!.GetValue<string>())));
        Assert.Equal(6, streamed.Count);
        Assert.All(Enumerable.Range(0, 6), i => Assert.Equal(choices[i]!["text"]!.GetValue<string>(), streamed[i]));
    }

    private static JsonArray Ids(IEnumerable<int> ids) => new(ids.Select(i => (JsonNode)i).ToArray());

    private async Task<JsonNode> CompleteAsync(JsonObject request, string path = "v1/completions")
    {
        var (status, body) = await fixture.PostAsync(path, request);
        Assert.True(status == HttpStatusCode.OK, $"{path}: {(int)status} {body}");
        return body!;
    }
}
