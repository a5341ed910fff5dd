using System.Net;
using System.Text.Json.Nodes;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests.OpenAi;

/// <summary>The <c>/v1</c> API's refusals: OpenAI error objects with the field at fault, never a stack trace.</summary>
public sealed class OpenAiErrorTests(OpenAiSilo fixture) : IClassFixture<OpenAiSilo>
{
    [Fact]
    public async Task An_unknown_model_is_a_404_model_not_found_that_says_how_to_list_models()
    {
        var (status, body) = await fixture.PostAsync("v1/completions", new JsonObject { ["model"] = "no-such-run/step_1", ["prompt"] = "hi" });
        var (chatStatus, chatBody) = await fixture.PostAsync("v1/chat/completions", new JsonObject
        {
            ["model"] = "/nowhere/model", ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }),
        });

        Assert.Equal(HttpStatusCode.NotFound, status);
        var error = body!["error"]!;
        Assert.Equal("not_found_error", error["type"]!.GetValue<string>());
        Assert.Equal("model_not_found", error["code"]!.GetValue<string>());
        Assert.Equal("model", error["param"]!.GetValue<string>());
        Assert.Contains("GET /v1/models", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, chatStatus);
        Assert.Equal("model_not_found", chatBody!["error"]!["code"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("temperature", "-1", "temperature")]
    [InlineData("top_p", "0", "top_p")]
    [InlineData("top_k", "-2", "top_k")]
    [InlineData("min_p", "1.5", "min_p")]
    [InlineData("n", "257", "n")]
    [InlineData("max_tokens", "0", "max_tokens")]
    [InlineData("max_tokens", "32769", "max_tokens")]
    [InlineData("seed", "-1", "seed")]
    [InlineData("stop", "[1, 2]", "stop")]
    [InlineData("stream", "\"yes\"", "stream")]
    [InlineData("prompt", "[]", "prompt")]
    [InlineData("prompt", "[\"a\", \"\"]", "prompt[1]")]
    [InlineData("prompt", "[[1, 2], [3, -1]]", "prompt[1]")]
    [InlineData("prompt", "[[1, 2], 5]", "prompt")]
    [InlineData("prompt", "[1, -3]", "prompt")]
    [InlineData("max_tokenz", "5", "max_tokenz")]
    [InlineData("logprobs", "21", "logprobs")]
    [InlineData("logprobs", "-1", "logprobs")]
    [InlineData("logprobs", "true", "logprobs")]
    [InlineData("echo", "1", "echo")]
    [InlineData("frequency_penalty", "0.5", "frequency_penalty")]
    [InlineData("best_of", "3", "best_of")]
    public async Task A_bad_or_unsupported_completion_field_is_a_400_naming_it(string field, string json, string param)
    {
        var request = JsonNode.Parse("{\"model\": \"tiny-chat\", \"prompt\": \"hi\"}")!.AsObject();
        request[field] = JsonNode.Parse(json);

        var (status, body) = await fixture.PostAsync("v1/completions", request);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = body!["error"]!;
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Equal(param, error["param"]!.GetValue<string>());
        Assert.Contains(param, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("messages", "[]", "messages")]
    [InlineData("messages", "[{\"content\": \"hi\"}]", "messages[0]")]
    [InlineData("messages", "[{\"role\": \"user\", \"content\": 5}]", "messages[0].content")]
    [InlineData("chat_template_kwargs", "[1]", "chat_template_kwargs")]
    [InlineData("logprobs", "1", "logprobs")]
    [InlineData("top_logprobs", "2", "top_logprobs")]
    [InlineData("top_logprobs", "21", "top_logprobs")]
    [InlineData("max_completion_tokens", "0", "max_completion_tokens")]
    public async Task A_bad_chat_field_is_a_400_naming_it(string field, string json, string param)
    {
        var request = JsonNode.Parse("{\"model\": \"tiny-chat\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")!.AsObject();
        request[field] = JsonNode.Parse(json);

        var (status, body) = await fixture.PostAsync("v1/chat/completions", request);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, body!["error"]!["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task Max_tokens_zero_is_allowed_only_with_echo_and_a_chat_top_logprobs_needs_logprobs()
    {
        var (status, body) = await fixture.PostAsync("v1/completions", new JsonObject { ["model"] = "tiny-chat", ["prompt"] = "hi", ["max_tokens"] = 0 });
        var (echoStatus, _) = await fixture.PostAsync("v1/completions", new JsonObject { ["model"] = "tiny-chat", ["prompt"] = "hi", ["max_tokens"] = 0, ["echo"] = true });
        var (topStatus, topBody) = await fixture.PostAsync("v1/chat/completions", JsonNode.Parse(
            "{\"model\": \"tiny-chat\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"logprobs\": false, \"top_logprobs\": 2}")!);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("between 1 and", body!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, echoStatus);
        Assert.Equal(HttpStatusCode.BadRequest, topStatus);
        Assert.Contains("needs logprobs: true", topBody!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_critic_checkpoint_is_refused_as_a_value_model_that_does_not_generate()
    {
        var critic = Path.Combine(RepositoryPaths.Root, "tests", "Checkpoints", "Fixtures", "torch-1.13", "critic", "score-w2");
        var (registered, registration) = await fixture.PostAsync("api/checkpoints", new JsonObject { ["path"] = critic });
        Assert.True(registered == HttpStatusCode.OK, registration?.ToJsonString());

        var (status, body) = await fixture.PostAsync("v1/completions", new JsonObject { ["model"] = critic, ["prompt"] = "hi" });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("value_model", body!["error"]!["code"]!.GetValue<string>());
        Assert.Contains("it scores, it does not generate", body["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_a_json_object_is_a_400_in_openais_shape()
    {
        var (status, body) = await fixture.PostRawAsync("v1/completions", "{\"model\": ");
        var (arrayStatus, arrayBody) = await fixture.PostRawAsync("v1/chat/completions", "[1]");
        var (missing, missingBody) = await fixture.PostRawAsync("v1/completions", "{\"prompt\": \"hi\"}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_json", body!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, arrayStatus);
        Assert.Equal("invalid_request_error", arrayBody!["error"]!["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, missing);
        Assert.Equal("model", missingBody!["error"]!["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_token_id_outside_the_vocabulary_is_a_400_not_a_500()
    {
        var (status, body) = await fixture.PostAsync("v1/completions", new JsonObject { ["model"] = "tiny-chat", ["prompt"] = new JsonArray(1, 999_999), ["max_tokens"] = 2 });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_request_error", body!["error"]!["type"]!.GetValue<string>());
    }
}
