using System.Net;
using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests.OpenAi;

/// <summary>
/// Two checkpoints of one verl run (different weights) served from one endpoint at once: requests interleaved across
/// both reach the right model, each answer is the one the same request gets alone, and both models are resident.
/// </summary>
public sealed class OpenAiTwoModelsTests(OpenAiSilo fixture) : IClassFixture<OpenAiSilo>, IDisposable
{
    private readonly TempDirectory _inputs = new("openai-two-models");

    [Fact]
    public async Task Two_checkpoints_answer_from_one_endpoint_at_once_each_as_it_does_alone()
    {
        var runFolder = _inputs.Combine("two-model-run");
        VerlRunFolderBuilder.Write(runFolder, steps: 2, firstScale: 0.7f);
        var (status, body) = await fixture.PostAsync("api/checkpoints", new JsonObject { ["path"] = runFolder });
        Assert.True(status == HttpStatusCode.OK, $"registering the run: {(int)status} {body}");
        var models = await GridApiClient.PollAsync(
            async () => JsonNode.Parse(await fixture.Http.GetStringAsync("v1/models"))!["data"]!.AsArray()
                .Where(m => m!["verlorleans.path"]!.GetValue<string>().StartsWith(runFolder, StringComparison.Ordinal)).ToList(),
            found => found.Count == 2 && found.All(m => m!["verlorleans.state"]!.GetValue<string>() == "Ready"),
            TimeSpan.FromMinutes(3), "both steps merged and Ready");
        var ids = models.Select(m => m!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["two-model-run/step_1", "two-model-run/step_2"], ids);
        Assert.NotEqual(models[0]!["verlorleans.content_hash"]!.GetValue<string>(), models[1]!["verlorleans.content_hash"]!.GetValue<string>());

        // Alone first, then eight requests at once, alternating between the two models.
        var alone = new Dictionary<string, string>();
        foreach (var id in ids)
        {
            alone[id] = await CompleteAsync(id);
        }

        var together = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            var id = ids[i % 2];
            return (Id: id, Text: await CompleteAsync(id));
        }));
        Assert.All(together, answer => Assert.Equal(alone[answer.Id], answer.Text));

        var resident = (await new GridApiClient(fixture.Silo.BaseAddress).GetModelsAsync()).Where(m => m.State == ModelState.Ready).Select(m => m.Key).ToList();
        Assert.True(resident.Count >= 2, $"resident models: {string.Join(", ", resident)}");
    }

    public void Dispose() => _inputs.Dispose();

    private async Task<string> CompleteAsync(string model)
    {
        var (status, body) = await fixture.PostAsync("v1/completions", new JsonObject
        {
            ["model"] = model,
            ["prompt"] = "The answer is",
            ["max_tokens"] = 8,
            ["temperature"] = 0,
        });
        Assert.True(status == HttpStatusCode.OK, $"{model}: {(int)status} {body}");
        Assert.Equal(model, body!["model"]!.GetValue<string>());
        return body["choices"]![0]!["text"]!.GetValue<string>();
    }
}
