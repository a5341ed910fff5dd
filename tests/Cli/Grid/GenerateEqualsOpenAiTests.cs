using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Inference.Text.Tokenization;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests.Grid;

/// <summary>
/// A greedy <c>/v1/completions</c> answer of a real silo equals <c>verlorleans generate</c> on the same checkpoint and
/// prompt, token for token (the answer's logprob tokens against the command's ids), text and finish reason included.
/// </summary>
[Collection(GridSiloCollection.Name)]
public sealed class GenerateEqualsOpenAiTests(SiloProcess silo)
{
    [Theory]
    [InlineData("gsm8k-row-0")]
    [InlineData("multi-turn")]
    public async Task A_greedy_completion_equals_generate_token_for_token(string name)
    {
        var reference = TinyChatModel.Reference.Case(name);
        using var http = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
        using var registered = await http.PostAsync("api/checkpoints", Json(new JsonObject { ["path"] = TinyChatModel.Folder }));
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);

        var (exit, output, error) = await CliHarness.RunAsync("generate", "--model", TinyChatModel.Folder, "--prompt-ids", string.Join(",", reference.PromptIds),
            "--max-new-tokens", "40");
        Assert.True(exit == 0, error);
        var generated = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        var ids = generated.GetProperty("token_ids").EnumerateArray().Select(t => t.GetInt32()).ToList();

        using var response = await http.PostAsync("v1/completions", Json(new JsonObject
        {
            ["model"] = TinyChatModel.Folder,
            ["prompt"] = new JsonArray(reference.PromptIds.Select(i => (JsonNode)i).ToArray()),
            ["max_tokens"] = 40,
            ["temperature"] = 0,
            ["logprobs"] = 0,
        }));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        var choice = body["choices"]![0]!;

        var tokenizer = HfTokenizer.FromDirectory(TinyChatModel.Folder);
        Assert.Equal(ids.Select(id => tokenizer.Decode([id])), choice["logprobs"]!["tokens"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(ids.Count, body["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.Equal(generated.GetProperty("text").GetString(), choice["text"]!.GetValue<string>());
        Assert.Equal(generated.GetProperty("finish_reason").GetString(), choice["finish_reason"]!.GetValue<string>());
        Assert.Equal(reference.GreedyIds, ids.Take(reference.GreedyIds.Count));
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");
}
