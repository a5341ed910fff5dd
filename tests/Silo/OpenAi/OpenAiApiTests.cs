using System.Net;
using System.Text.Json.Nodes;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests.OpenAi;

/// <summary>
/// The OpenAI-compatible <c>/v1</c> API against a real silo serving the tiny chat model: the model list, greedy
/// completions and chats equal to PyTorch's reference (which <c>verlorleans generate</c> reproduces token for token,
/// see GenerateCommandTests), seeded samples, stop strings, streams that concatenate to the whole response.
/// </summary>
public sealed class OpenAiApiTests(OpenAiSilo fixture) : IClassFixture<OpenAiSilo>
{
    private static readonly TinyChatReference Reference = TinyChatModel.Reference;

    [Fact]
    public async Task Models_list_the_registered_checkpoint_by_its_readable_id_and_path()
    {
        var list = JsonNode.Parse(await fixture.Http.GetStringAsync("v1/models"))!;

        Assert.Equal("list", list["object"]!.GetValue<string>());
        var model = Assert.Single(list["data"]!.AsArray(), m => m!["verlorleans.path"]!.GetValue<string>() == TinyChatModel.Folder)!;
        Assert.Equal("tiny-chat", model["id"]!.GetValue<string>());
        Assert.Equal("model", model["object"]!.GetValue<string>());
        Assert.Equal("verlorleans", model["owned_by"]!.GetValue<string>());
        Assert.True(model["created"]!.GetValue<long>() > 1_600_000_000);
        Assert.Equal("Ready", model["verlorleans.state"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{16,}$", model["verlorleans.content_hash"]!.GetValue<string>());

        var byId = JsonNode.Parse(await fixture.Http.GetStringAsync("v1/models/tiny-chat"))!;
        Assert.Equal(TinyChatModel.Folder, byId["verlorleans.path"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_greedy_completion_equals_the_reference_for_token_ids_text_and_the_checkpoint_path()
    {
        var reference = Reference.Case("system-and-user");
        var fromIds = await CompleteAsync(new JsonObject
        {
            ["model"] = "tiny-chat",
            ["prompt"] = new JsonArray(reference.PromptIds.Select(i => (JsonNode)i).ToArray()),
            ["max_tokens"] = Reference.MaxNewTokens,
            ["temperature"] = 0,
        });
        var fromText = await CompleteAsync(new JsonObject
        {
            ["model"] = TinyChatModel.Folder,
            ["prompt"] = reference.PromptText,
            ["max_tokens"] = Reference.MaxNewTokens,
            ["temperature"] = 0,
        });

        Assert.Equal("text_completion", fromIds["object"]!.GetValue<string>());
        Assert.StartsWith("cmpl-", fromIds["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("tiny-chat", fromIds["model"]!.GetValue<string>());
        var choice = Assert.Single(fromIds["choices"]!.AsArray())!;
        Assert.Equal(0, choice["index"]!.GetValue<int>());
        Assert.Equal(reference.ResponseText, choice["text"]!.GetValue<string>());
        Assert.Equal(reference.FinishReason, choice["finish_reason"]!.GetValue<string>());
        Assert.Null(choice["logprobs"]);
        Assert.Equal(reference.PromptIds.Count, fromIds["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(reference.GreedyIds.Count, fromIds["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.Equal(reference.PromptIds.Count + reference.GreedyIds.Count, fromIds["usage"]!["total_tokens"]!.GetValue<int>());

        Assert.Equal(reference.ResponseText, fromText["choices"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(reference.PromptIds.Count, fromText["usage"]!["prompt_tokens"]!.GetValue<int>());
        // Addressed by its path, the model answers under its id.
        Assert.Equal("tiny-chat", fromText["model"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("multi-turn")]
    [InlineData("system-and-user")]
    public async Task A_chat_is_rendered_with_the_checkpoints_template_and_answered_like_the_reference(string name)
    {
        var reference = Reference.Case(name);

        var chat = await CompleteAsync(new JsonObject
        {
            ["model"] = "tiny-chat",
            ["messages"] = reference.Messages.DeepClone(),
            ["max_completion_tokens"] = Reference.MaxNewTokens,
            ["temperature"] = 0,
        }, "v1/chat/completions");

        Assert.Equal("chat.completion", chat["object"]!.GetValue<string>());
        Assert.StartsWith("chatcmpl-", chat["id"]!.GetValue<string>(), StringComparison.Ordinal);
        var choice = Assert.Single(chat["choices"]!.AsArray())!;
        Assert.Equal("assistant", choice["message"]!["role"]!.GetValue<string>());
        Assert.Equal(reference.ResponseText, choice["message"]!["content"]!.GetValue<string>());
        Assert.Equal(reference.FinishReason, choice["finish_reason"]!.GetValue<string>());
        Assert.Equal(reference.PromptIds.Count, chat["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(reference.GreedyIds.Count, chat["usage"]!["completion_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Seeded_samples_repeat_and_sample_i_uses_seed_plus_i()
    {
        JsonObject Request(int seed) => new()
        {
            ["model"] = "tiny-chat", ["prompt"] = "Janet has ducks", ["n"] = 2, ["seed"] = seed, ["temperature"] = 1.0, ["max_tokens"] = 12,
        };

        var first = Texts(await CompleteAsync(Request(7)));
        var again = Texts(await CompleteAsync(Request(7)));
        var shifted = Texts(await CompleteAsync(Request(8)));

        Assert.Equal(2, first.Count);
        Assert.Equal(first, again);
        Assert.NotEqual(first[0], first[1]);
        Assert.Equal(first[1], shifted[0]);
    }

    [Fact]
    public async Task A_stop_string_cuts_the_text_and_finishes_with_stop()
    {
        var reference = Reference.Case("system-and-user");
        JsonObject Request(JsonNode? stop) => new()
        {
            ["model"] = "tiny-chat", ["prompt"] = reference.PromptText, ["temperature"] = 0, ["max_tokens"] = 12, ["stop"] = stop,
        };
        var text = (await CompleteAsync(Request(null)))["choices"]![0]!["text"]!.GetValue<string>();
        var stop = text.Substring(3, 3);

        var one = (await CompleteAsync(Request(stop)))["choices"]![0]!;
        var list = (await CompleteAsync(Request(new JsonArray("never-there", stop))))["choices"]![0]!;

        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], one["text"]!.GetValue<string>());
        Assert.Equal("stop", one["finish_reason"]!.GetValue<string>());
        Assert.Equal(one.ToJsonString(), list.ToJsonString());
    }

    [Fact]
    public async Task A_completion_stream_concatenates_to_the_whole_response_and_ends_with_done()
    {
        var request = new JsonObject
        {
            ["model"] = "tiny-chat", ["prompt"] = Reference.Case("multi-turn").PromptText, ["n"] = 2, ["seed"] = 3, ["temperature"] = 0.8,
            ["max_tokens"] = Reference.MaxNewTokens, ["stop"] = "will",
        };
        var whole = await CompleteAsync(request);

        var (status, type, events) = await fixture.StreamAsync("v1/completions", With(request, ("stream", true), ("stream_options", new JsonObject { ["include_usage"] = true })));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/event-stream", type);
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonNode.Parse(e)!).ToList();
        Assert.All(chunks, c => Assert.Equal("text_completion", c["object"]!.GetValue<string>()));
        Assert.Single(chunks.Select(c => c["id"]!.GetValue<string>()).Distinct());
        var usage = chunks[^1]["usage"]!;
        Assert.Empty(chunks[^1]["choices"]!.AsArray());
        Assert.Equal(whole["usage"]!.ToJsonString(), usage.ToJsonString());
        for (var i = 0; i < 2; i++)
        {
            var mine = chunks[..^1].Select(c => c["choices"]![0]!).Where(c => c["index"]!.GetValue<int>() == i).ToList();
            Assert.Equal(whole["choices"]![i]!["text"]!.GetValue<string>(), string.Concat(mine.Select(c => c["text"]!.GetValue<string>())));
            Assert.Equal(whole["choices"]![i]!["finish_reason"]!.GetValue<string>(), mine[^1]["finish_reason"]!.GetValue<string>());
            Assert.All(mine[..^1], c => Assert.Null(c["finish_reason"]));
        }
    }

    [Fact]
    public async Task A_chat_stream_opens_with_the_role_then_sends_content_deltas_and_done()
    {
        var reference = Reference.Case("multi-turn");
        var request = new JsonObject
        {
            ["model"] = "tiny-chat", ["messages"] = reference.Messages.DeepClone(), ["temperature"] = 0, ["max_tokens"] = Reference.MaxNewTokens, ["stream"] = true,
            ["chat_template_kwargs"] = new JsonObject { ["enable_thinking"] = false },
        };

        var (status, type, events) = await fixture.StreamAsync("v1/chat/completions", request);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/event-stream", type);
        Assert.Equal("[DONE]", events[^1]);
        var choices = events[..^1].Select(e => JsonNode.Parse(e)!).Select(c =>
        {
            Assert.Equal("chat.completion.chunk", c["object"]!.GetValue<string>());
            return Assert.Single(c["choices"]!.AsArray())!;
        }).ToList();
        Assert.Equal("assistant", choices[0]["delta"]!["role"]!.GetValue<string>());
        Assert.Equal(reference.ResponseText, string.Concat(choices.Select(c => c["delta"]!["content"]?.GetValue<string>())));
        Assert.Equal(reference.FinishReason, choices[^1]["finish_reason"]!.GetValue<string>());
    }

    internal static JsonObject With(JsonObject request, params (string Name, JsonNode? Value)[] fields)
    {
        var copy = (JsonObject)request.DeepClone();
        foreach (var (name, value) in fields)
        {
            copy[name] = value;
        }

        return copy;
    }

    private static List<string> Texts(JsonNode response) =>
        response["choices"]!.AsArray().Select(c => c!["text"]!.GetValue<string>()).ToList();

    private async Task<JsonNode> CompleteAsync(JsonObject request, string path = "v1/completions")
    {
        var (status, body) = await fixture.PostAsync(path, request);
        Assert.True(status == HttpStatusCode.OK, $"POST {path}: {(int)status} {body?.ToJsonString()}");
        return body!;
    }
}
