using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests.OpenAi;

/// <summary>A real silo process with the tiny chat model registered, and helpers to call its <c>/v1</c> API.</summary>
public sealed class OpenAiSilo : IAsyncLifetime
{
    public SiloProcess Silo { get; } = new();

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Silo.InitializeAsync();
        Http = new HttpClient { BaseAddress = Silo.BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
        var (status, body) = await PostAsync("api/checkpoints", new JsonObject { ["path"] = TinyChatModel.Folder });
        Assert.True(status == HttpStatusCode.OK, $"registering tiny-chat: {(int)status} {body}");
        await GridApiClient.PollAsync(
            async () => JsonNode.Parse(await Http.GetStringAsync("v1/models"))!["data"]!.AsArray(),
            models => models.Any(m => m!["verlorleans.state"]!.GetValue<string>() == "Ready"),
            TimeSpan.FromMinutes(2), "tiny-chat to be Ready");
    }

    /// <summary>Posts JSON; returns the status and the body parsed (null when it is not JSON).</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string path, JsonNode body)
    {
        using var response = await Http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, TryParse(text));
    }

    /// <summary>Posts raw text as JSON.</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> PostRawAsync(string path, string body)
    {
        using var response = await Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        return (response.StatusCode, TryParse(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>Posts a streaming request; returns the content type and every <c>data:</c> payload in order.</summary>
    public async Task<(HttpStatusCode Status, string? ContentType, List<string> Events)> StreamAsync(string path, JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = new List<string>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add(line["data: ".Length..]);
            }
        }

        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, events);
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        await Silo.DisposeAsync();
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
